"""``strongroom payments reconcile [--days N]``: repair or flag orders whose state
disagrees with the gateway. ``strongroom payments alerts``: open payment alerts.
Exit status 1 when something was flagged (so cron or CI notice), 2 if the gateway
cannot be reached."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from strongroom.commerce.payments.errors import GatewayUnavailable
from strongroom.commerce.payments.reconcile import payments_reconcile
from strongroom.commerce.payments.selectors import alerts_open


class Command(BaseCommand):
    help = "Payment operations: reconcile orders with the gateway, list payment alerts."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        rec = sub.add_parser("reconcile", help="compare recent orders with the gateway")
        rec.add_argument("--days", type=int, default=7, help="how far back (7 days)")
        sub.add_parser("alerts", help="open payment alerts")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "alerts":
            alerts = list(alerts_open())
            for alert in alerts:
                self.stdout.write(f"{alert.created_at:%Y-%m-%d %H:%M} {alert.kind} "
                                  f"{alert.subject}: {alert.message}")
            self.stdout.write(f"{len(alerts)} open alert(s)")
            return
        if not 1 <= options["days"] <= 3650:
            raise CommandError("--days must be between 1 and 3650")
        try:
            findings = payments_reconcile(days=options["days"])
        except GatewayUnavailable as exc:
            raise CommandError(f"cannot reach the payment gateway: {exc.message}",
                               returncode=2) from None
        counts: dict[str, int] = {}
        for f in findings:
            counts[f.action] = counts.get(f.action, 0) + 1
            if f.action != "ok":
                self.stdout.write(f"{f.action:9} {f.reference}  {f.detail}")
        summary = ", ".join(f"{n} {a}" for a, n in sorted(counts.items())) or "nothing to check"
        self.stdout.write(f"Reconciled {len(findings)} payment(s): {summary}")
        if counts.get("flagged") or counts.get("error"):
            raise CommandError("some payments need a person: see the console's order pages "
                               "and Payments security", returncode=1)

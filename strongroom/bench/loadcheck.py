"""`make loadtest`'s bookkeeping: what the store looked like before the shoppers came, and
whether everything adds up after they left (the numbers a fast but wrong store gets wrong).

    python -m strongroom.bench.loadcheck snapshot BEFORE.json [--restock N]
    python -m strongroom.bench.loadcheck check BEFORE.json locust_stats.csv [--users N]

Checks, over the orders placed during the run: every paid order has a captured payment
and every captured payment belongs to a paid order; the stock taken equals the units in
the orders that hold it; ``strongroom audit verify`` passes. Prints p50/p95/p99 per step
from locust's statistics and the error count. Exit 1 on any failed check or error.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from datetime import datetime
from pathlib import Path

P95_TARGET_MS = 1000


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "strongroom.settings")
    import django

    django.setup()


def _stock() -> int:
    from django.db.models import Sum

    from strongroom.commerce.catalog.models import Variant

    return int(Variant.objects.aggregate(n=Sum("stock"))["n"] or 0)


def restock(at_least: int) -> int:
    """Top every active variant up to ``at_least`` units through the catalog service
    (audited, the catalog cache invalidated like a staff change), so a run measures the
    store rather than a sold-out demo catalog. Returns the variants changed."""
    from strongroom.commerce.catalog.models import Variant
    from strongroom.commerce.catalog.services import variant_update

    low = list(Variant.objects.filter(is_active=True, stock__lt=at_least))
    for variant in low:
        variant_update(variant=variant, stock=at_least)
    return len(low)


def snapshot(path: Path, *, at_least: int = 0) -> None:
    from django.utils import timezone

    if at_least:
        restock(at_least)
    path.write_text(json.dumps({"at": timezone.now().isoformat(), "stock": _stock()}))


def _consistency(before: dict) -> list[tuple[str, bool, str]]:
    from django.core.management import call_command
    from django.db.models import Sum

    from strongroom.commerce.orders.models import Order, OrderLine, OrderStatus
    from strongroom.commerce.payments.models import Payment, PaymentStatus

    since = datetime.fromisoformat(before["at"])
    orders = Order.objects.filter(created_at__gte=since)
    paid_statuses = [OrderStatus.PAID, OrderStatus.FULFILLED, OrderStatus.SHIPPED,
                     OrderStatus.COMPLETED]
    paid = set(orders.filter(status__in=paid_statuses).values_list("pk", flat=True))
    captured = set(Payment.objects.filter(order__in=orders, status=PaymentStatus.CAPTURED)
                   .values_list("order_id", flat=True))
    holding = orders.exclude(status__in=[OrderStatus.CANCELLED])
    units = int(OrderLine.objects.filter(order__in=holding).aggregate(n=Sum("quantity"))["n"]
                or 0)
    taken = before["stock"] - _stock()
    checks = [
        ("orders paid = payments captured", paid == captured,
         f"{len(paid)} paid, {len(captured)} captured"),
        ("stock taken = units ordered", taken == units, f"{taken} taken, {units} ordered"),
    ]
    try:
        call_command("audit", "verify", "--workers", "1", stdout=open(os.devnull, "w"))  # noqa: SIM115
        checks.append(("audit verify", True, "the chain verifies"))
    except SystemExit as exc:
        checks.append(("audit verify", exc.code in (0, None), f"exit {exc.code}"))
    except Exception as exc:  # reported, never hidden
        checks.append(("audit verify", False, str(exc).splitlines()[0]))
    return checks


def _latency(stats_csv: Path) -> tuple[list[str], int, float]:
    lines, errors, worst_p95 = [], 0, 0.0
    with stats_csv.open(newline="") as f:
        for row in csv.DictReader(f):
            name = row["Name"]
            failures = int(row["Failure Count"])
            if name == "Aggregated":
                errors = failures
                lines.append(f"  {'all requests':<20} {int(row['Request Count']):>7} req  "
                             f"{float(row['Requests/s']):.1f} req/s")
                continue
            p95 = float(row["95%"] or 0)
            worst_p95 = max(worst_p95, p95)
            lines.append(f"  {name:<20} {int(row['Request Count']):>7} req  p50 {row['50%']:>6} ms"
                         f"  p95 {row['95%']:>6} ms  p99 {row['99%']:>6} ms  errors {failures}")
    return lines, errors, worst_p95


def check(before_path: Path, stats_csv: Path, users: int) -> int:
    before = json.loads(before_path.read_text())
    lines, errors, worst = _latency(stats_csv)
    think = os.environ.get("LOADTEST_THINK", "1-3")
    stress = not think.strip("0.-")
    print(f"Load test: {users} shoppers through Caddy -> 2 app servers (PostgreSQL, Redis), "
          + ("no pauses (stress)" if stress else f"{think} s between pages"))
    print("\n".join(lines))
    ok = errors == 0
    print(f"  errors {errors} (target 0)  {'ok' if errors == 0 else 'FAILED'}")
    if stress:  # every response waits in a queue: the rate above is the figure
        print(f"  worst p95 {worst:.0f} ms (a stress run: time in the queue, no target)")
    else:
        print(f"  worst p95 {worst:.0f} ms (target < {P95_TARGET_MS} ms)  "
              f"{'ok' if worst < P95_TARGET_MS else 'ABOVE TARGET'}")
    for name, passed, detail in _consistency(before):
        print(f"  {name:<34} {detail:<40} {'ok' if passed else 'FAILED'}")
        ok &= passed
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="loadcheck")
    sub = parser.add_subparsers(dest="action", required=True)
    snap = sub.add_parser("snapshot")
    snap.add_argument("out", type=Path)
    snap.add_argument("--restock", type=int, default=0, metavar="N",
                      help="first top every active variant up to N units")
    chk = sub.add_parser("check")
    chk.add_argument("before", type=Path)
    chk.add_argument("stats", type=Path)
    chk.add_argument("--users", type=int, default=0)
    args = parser.parse_args(argv)
    _setup()
    if args.action == "snapshot":
        if args.restock < 0:
            parser.error("--restock must be 0 or more")
        snapshot(args.out, at_least=args.restock)
        return 0
    return check(args.before, args.stats, args.users)


if __name__ == "__main__":
    sys.exit(main())

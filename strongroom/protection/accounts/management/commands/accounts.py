"""`strongroom accounts force-reset EMAIL | unlock EMAIL | alerts`: an administrator's
tools for account security (the console's staff pages call the same services)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from strongroom.protection.accounts import services
from strongroom.protection.accounts.throttling import throttle
from strongroom.protection.alerts.selectors import alerts_list
from strongroom.protection.audit.events import Actor, AuditEvent
from strongroom.protection.audit.services import audit_record


class Command(BaseCommand):
    help = "Account security: force a password reset, lift a lockout, list alerts."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        reset = sub.add_parser("force-reset", help="sign out everywhere, require a new password")
        reset.add_argument("email")
        reset.add_argument("--reason", default="")
        unlock = sub.add_parser("unlock", help="lift a sign-in lockout after checking identity")
        unlock.add_argument("email")
        sub.add_parser("alerts", help="sign-in alerts: credential stuffing, spraying, "
                                      "lockouts (all alerts: the console's Alerts page)")

    def handle(self, *args, action: str, **options) -> None:
        if action == "alerts":
            for alert in alerts_list(kind_prefix="signin.", limit=50):
                state = "open" if alert.is_open else "acknowledged"
                times = f" ×{alert.count}" if alert.count > 1 else ""
                self.stdout.write(f"{alert.last_seen:%Y-%m-%d %H:%M} {alert.kind}{times} "
                                  f"[{alert.severity}, {state}]: {alert.summary}")
            return
        user = self._user(options["email"])
        actor = Actor.system("cli")
        if action == "force-reset":
            services.password_reset_force(user=user, actor=actor, reason=options["reason"])
            self.stdout.write("Signed out everywhere; a new password is required at next sign-in.")
        else:
            throttle.throttle_unlock(email=options["email"])
            with transaction.atomic():
                audit_record(event=AuditEvent.ACCOUNT_UNLOCKED, actor=actor,
                             subject_id=user.subject_id, object=user)
            self.stdout.write("Unlocked.")

    def _user(self, email: str):
        try:
            return get_user_model()._default_manager.get_by_natural_key(email)
        except get_user_model().DoesNotExist:
            raise CommandError("no account with that email") from None

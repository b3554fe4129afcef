"""``strongroom staff disable-idle``: disable staff accounts idle for 90 days (audited).
Safe to run from a scheduler: it only ever disables, and keeps the last owner."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from strongroom.protection.access.staff import IDLE_AFTER, staff_disable_idle


class Command(BaseCommand):
    help = "Staff accounts: disable idle ones."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, parser_class=type(parser))
        idle = sub.add_parser("disable-idle", help="disable staff accounts with no sign-in "
                              f"for {IDLE_AFTER.days} days (the last owner is kept)")
        idle.add_argument("--days", type=int, default=IDLE_AFTER.days,
                          choices=range(1, 3651), metavar="DAYS")

    def handle(self, *args: Any, action: str, days: int, **options: Any) -> None:
        result = staff_disable_idle(idle=timedelta(days=days))
        for user in result.disabled:
            self.stdout.write(f"disabled idle staff account {user.pk}")
        for user in result.kept:
            self.stderr.write(f"kept idle account {user.pk}: it is the last active owner; "
                              "make another owner or sign in")
        self.stdout.write(f"{len(result.disabled)} idle staff account(s) disabled")

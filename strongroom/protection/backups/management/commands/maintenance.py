"""``strongroom maintenance on --message TEXT | off | status``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from strongroom.protection.audit.events import Actor
from strongroom.protection.backups import selectors, services


class Command(BaseCommand):
    help = "Pause the shop for shoppers and API clients (the console keeps working)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, parser_class=type(parser))
        on = sub.add_parser("on", help="shoppers see a status page (503), the API answers 503")
        on.add_argument("--message", required=True, help="what shoppers read")
        on.add_argument("--retry-after", type=int, default=600, metavar="SECONDS")
        sub.add_parser("off", help="reopen the shop")
        sub.add_parser("status", help="is maintenance mode on?")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        actor = Actor.system("cli")
        if action == "on":
            if not options["message"].strip():
                raise CommandError("--message must say something to shoppers", returncode=2)
            services.maintenance_on(message=options["message"], by=actor,
                                    retry_after=options["retry_after"])
        elif action == "off":
            services.maintenance_off(by=actor)
        selectors.maintenance_cache_clear()
        state = selectors.maintenance_state()
        self.stdout.write(f"maintenance mode is {'ON' if state.enabled else 'off'}"
                          + (f": {state.message}" if state.enabled else ""))

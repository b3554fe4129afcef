"""Internal: run by a backup, a restore or a drill against a scratch or restored database
(``STRONGROOM_DATABASE_URL`` points at it). Prints one JSON line (see internal/selfcheck)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from strongroom.protection.backups.internal.selfcheck import selfcheck_report


class Command(BaseCommand):
    help = "Internal: check a scratch or restored database (used by backup/restore/drill)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--subject", default="", help="report whether this vault "
                            "subject is erased")

    def handle(self, *args: Any, subject: str, **options: Any) -> None:
        self.stdout.write(json.dumps(selfcheck_report(subject=subject)))

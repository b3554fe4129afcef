"""``strongroom customers import FILE.csv``: bring customers over from another platform
(all lines or none; problems reported by line; exit 2 when nothing was imported)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from strongroom.commerce.customers.importing import COLUMNS, ImportFileError, customers_import

MAX_BYTES = 512 * 1024 * 1024


class Command(BaseCommand):
    help = "Customers: import accounts and addresses from a CSV file."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, parser_class=type(parser))
        imp = sub.add_parser(
            "import", help="create customer accounts from a CSV file (UTF-8, a header line "
            f"naming the columns: {', '.join(COLUMNS)}; only email is required). Every line "
            "is checked first; if any is wrong nothing is imported")
        imp.add_argument("file", metavar="FILE.csv")

    def handle(self, *args: Any, action: str, file: str, **options: Any) -> None:
        path = Path(file)
        try:
            if path.stat().st_size > MAX_BYTES:
                raise CommandError(f"{file} is larger than 512 MiB: split it", returncode=2)
            text = path.read_bytes().decode("utf-8-sig")
        except FileNotFoundError:
            raise CommandError(f"{file}: no such file", returncode=2) from None
        except IsADirectoryError:
            raise CommandError(f"{file} is a folder, not a CSV file", returncode=2) from None
        except PermissionError:
            raise CommandError(f"{file}: permission denied", returncode=2) from None
        except UnicodeDecodeError as exc:
            raise CommandError(f"{file} is not UTF-8 text (byte {exc.start}): save it as "
                               "UTF-8 CSV", returncode=2) from None
        try:
            report = customers_import(text=text, source=path.name, on_progress=self._progress)
        except ImportFileError as exc:
            raise CommandError(f"{file}: {exc.message}", returncode=2) from None
        if report.errors:
            for line in report.errors:
                self.stderr.write(line)
            raise CommandError("nothing was imported: correct the lines above and run the "
                               "import again", returncode=2)
        self.stdout.write(f"imported {report.created} customer(s)")

    def _progress(self, done: int, total: int) -> None:
        if sys.stderr.isatty():
            width = 30
            filled = width * done // max(total, 1)
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
            if done == total:
                sys.stderr.write("\n")
        elif done == total or done % 10_000 == 0:
            sys.stderr.write(f"{done}/{total} customers\n")

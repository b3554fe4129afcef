"""`strongroom privacy inventory|export|erase|retention|ledger`: the operator's privacy
tools. Export and erase are for requests that arrived outside the store (by email, phone,
post): they are audited as the system acting under the request's reference. Exit status
2 for bad input or missing data, 1 when ``ledger --check`` finds the file behind."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from strongroom.inventory import BASES, PURPOSES
from strongroom.protection.audit.events import Actor
from strongroom.protection.privacy import selectors, services
from strongroom.protection.privacy.errors import PrivacyError
from strongroom.protection.privacy.internal.ledger import entry_line, ledger_file_sync
from strongroom.protection.privacy.inventory import inventory_missing
from strongroom.protection.privacy.requests import customer_by_email


def _fail(message: str) -> CommandError:
    return CommandError(message, returncode=2)


class Command(BaseCommand):
    help = "Privacy: data inventory, export, erasure, retention sweep, erasure ledger."
    # `inventory --missing` is what fixes a failing privacy.E001: it must run when the
    # checks fail (every other action reads or writes only what the inventory names).
    requires_system_checks: list = []

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        inv = sub.add_parser("inventory", help="every field of every model, classified")
        inv.add_argument("--format", choices=["table", "json", "csv"], default="table")
        inv.add_argument("--personal", action="store_true", help="only personal data")
        inv.add_argument("--missing", action="store_true",
                         help="print a declare(...) skeleton for every unclassified field "
                              "(exit 1 if there is any)")
        exp = sub.add_parser("export", help="write a customer's data to a zip (audited)")
        exp.add_argument("email")
        exp.add_argument("--out", required=True, help="FILE.zip (must not exist)")
        exp.add_argument("--request", default="", help="the request's reference")
        era = sub.add_parser("erase", help="erase a customer (audited); prints the receipt id")
        era.add_argument("email")
        era.add_argument("--request", required=True, help="the request's reference")
        ret = sub.add_parser("retention", help="apply the retention periods")
        ret.add_argument("--dry-run", action="store_true", help="only list what would go")
        led = sub.add_parser("ledger", help="the erasure ledger (no personal data)")
        led.add_argument("--format", choices=["table", "json"], default="table")

    def handle(self, *args, action: str, **options) -> None:
        try:
            getattr(self, f"_{action}")(**options)
        except PrivacyError as exc:
            raise _fail(str(exc)) from None

    def _inventory(self, *, format: str, personal: bool, missing: bool,  # noqa: A002
                   **_: object) -> None:
        if missing:
            return self._missing()
        rows = selectors.inventory(personal_only=personal)
        records = [{"model": r.model, "field": r.field, "category": r.category,
                    "purpose": r.use.purpose, "basis": r.use.basis,
                    "retention": r.use.retention, "copies": ",".join(r.use.copies)}
                   for r in rows]
        if format == "json":
            self.stdout.write(json.dumps(records, indent=2))
        elif format == "csv":
            writer = csv.DictWriter(self.stdout, fieldnames=list(records[0]))
            writer.writeheader()
            writer.writerows(records)
        else:
            width = max(len(f"{r['model']}.{r['field']}") for r in records)
            for r in records:
                self.stdout.write(f"{r['model'] + '.' + r['field']:<{width}}  "
                                  f"{r['category']:<34} {r['purpose']:<11} {r['basis']:<20} "
                                  f"{r['retention']:<11} {r['copies']}")
            self.stdout.write(f"{len(records)} fields; purposes: {', '.join(PURPOSES)}; "
                              f"bases: {', '.join(BASES)}")

    def _missing(self) -> None:
        """Skeletons to paste into each app's privacy.py, then edit: every field is put
        under ``system`` (not personal) and MUST be reviewed."""
        by_model: dict[str, list[str]] = {}
        for label, name in inventory_missing():
            by_model.setdefault(label, []).append(name)
        if by_model:
            self.stdout.write("# in <app>/privacy.py:\n"
                              "from strongroom.inventory import Use, declare\n")
        for label, names in by_model.items():
            self.stdout.write(f"declare({label!r}, Use('operations', 'none', 'operational'),"
                              f"  # REVIEW: personal={{...}}\n        system={names!r})")
        if by_model:
            raise CommandError(f"{sum(map(len, by_model.values()))} fields unclassified",
                               returncode=1)

    def _export(self, *, email: str, out: str, request: str, **_: object) -> None:
        path = Path(out)
        if path.suffix != ".zip":
            raise _fail("--out must name a .zip file")
        if path.exists():
            raise _fail(f"{path} exists: choose a new file name")
        if not path.parent.is_dir():
            raise _fail(f"{path.parent} is not a directory")
        user = customer_by_email(email)
        size = services.export_to_file(user=user, out=path, request_ref=request or "cli")
        self.stdout.write(f"Wrote {path} ({size} bytes). Send it to the customer securely.")

    def _erase(self, *, email: str, request: str, **_: object) -> None:
        if not request.strip():
            raise _fail("--request needs the request's reference")
        user = customer_by_email(email)
        receipt = services.customer_erase(user=user, request_ref=request.strip()[:40],
                                          by=Actor.system("privacy.cli"))
        self.stdout.write(f"Erased. Receipt {receipt.id}")

    def _retention(self, *, dry_run: bool, **_: object) -> None:
        counts = services.retention_sweep(dry_run=dry_run)
        verb = "Would remove" if dry_run else "Removed"
        for kind, count in counts.items():
            self.stdout.write(f"{verb} {count:>8}  {kind.replace('_', ' ')}")

    def _ledger(self, *, format: str, **_: object) -> None:  # noqa: A002
        ledger_file_sync()
        entries = list(selectors.ledger_entries())
        if format == "json":
            for entry in entries:
                sys.stdout.write(entry_line(entry))
            return
        for e in entries:
            self.stdout.write(f"{e.seq:>6}  {e.erased_at:%Y-%m-%d %H:%M:%S}  {e.subject_id}  "
                              f"{e.request_id}")
        self.stdout.write(f"{len(entries)} erasures")

"""Bringing customers over from another platform: a CSV of accounts and their addresses.

All or nothing: every line is checked first (email, lengths, country, duplicates in the
file and against existing accounts) and any problem is reported by line with nothing
written; then every account is created in one transaction, in batches through the
vault (``subjects_created``: one key-wrapping call and a few INSERTs per batch), so a
store moving platforms brings 100,000 customers in well under a minute.

Imported accounts have no password (each customer sets one through "forgot password")
and no marketing consent: consent given elsewhere is not proof given here.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from strongroom.dbstats import statistics_refresh
from strongroom.protection.accounts.selectors import emails_taken
from strongroom.protection.accounts.services import customers_create_many
from strongroom.protection.audit.events import Actor, AuditEvent
from strongroom.protection.audit.services import audit_record
from strongroom.protection.vault.services import subjects_created

from .addressing import ADDRESS_LIMITS, address_values_clean
from .errors import CustomerError
from .models import Address

COLUMNS = ("email", "full_name", "phone", "line1", "line2", "city", "postal_code", "country")
ADDRESS_COLUMNS = ("line1", "line2", "city", "postal_code", "country", "phone")
BATCH = 1000
MAX_ERRORS = 50


class ImportFileError(CustomerError):
    """The file as a whole cannot be read (encoding, header)."""


@dataclass(frozen=True)
class ImportRow:
    line: int
    email: str
    full_name: str
    address: dict[str, str] | None


@dataclass(frozen=True)
class ImportReport:
    created: int
    errors: list[str]  # "line 7: ..." (at most MAX_ERRORS, then a count)


def rows_read(text: str) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, values) for each data line; the header names the columns."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    if "email" not in header:
        raise ImportFileError("the first line must name the columns, including 'email' "
                              f"(known columns: {', '.join(COLUMNS)})")
    unknown = sorted(set(header) - set(COLUMNS))
    if unknown:
        raise ImportFileError(f"unknown column(s) {', '.join(unknown)}: use "
                              f"{', '.join(COLUMNS)}")
    reader.fieldnames = header
    for values in reader:
        if None in values:  # more cells than columns
            raise ImportFileError(f"line {reader.line_num}: more values than columns")
        yield reader.line_num, {k: (v or "").strip() for k, v in values.items()}


def _clean(line: int, values: dict[str, str]) -> ImportRow:
    email = values.get("email", "")
    if "\x00" in email or len(email) > 254:
        raise CustomerError("email is not valid")
    try:
        validate_email(email)
    except ValidationError:
        raise CustomerError("email is not valid") from None
    full_name = values.get("full_name", "")
    if len(full_name) > ADDRESS_LIMITS["full_name"] or "\x00" in full_name:
        raise CustomerError("full name is too long (at most 150 characters)")
    address = None
    if any(values.get(name) for name in ("line1", "line2", "city", "postal_code", "country")):
        raw = {name: values.get(name, "") for name in ADDRESS_LIMITS}
        raw["full_name"] = full_name
        address = address_values_clean(raw, error=CustomerError)
    elif values.get("phone"):
        raise CustomerError("a phone number needs an address (line1, city, postal_code, "
                            "country)")
    return ImportRow(line=line, email=email, full_name=full_name, address=address)


def rows_check(lines: Iterable[tuple[int, dict[str, str]]]) -> tuple[list[ImportRow],
                                                                     list[str]]:
    """Every line validated; duplicates within the file and existing accounts found."""
    rows: list[ImportRow] = []
    errors: list[str] = []
    first_seen: dict[str, int] = {}
    for line, values in lines:
        try:
            row = _clean(line, values)
        except CustomerError as exc:
            errors.append(f"line {line}: {exc.message}")
            continue
        key = row.email.lower()
        if key in first_seen:
            errors.append(f"line {line}: {row.email!r} already appears on line "
                          f"{first_seen[key]}")
            continue
        first_seen[key] = line
        rows.append(row)
    for start in range(0, len(rows), BATCH):
        batch = rows[start:start + BATCH]
        taken = emails_taken(emails=[r.email for r in batch])
        errors.extend(f"line {r.line}: an account with this email already exists"
                      for r in batch if r.email.lower() in taken)
    errors.sort(key=lambda e: int(e.split(":", 1)[0].split()[1]))
    return rows, errors


def customers_import(*, text: str, source: str = "",
                     on_progress: Callable[[int, int], None] | None = None) -> ImportReport:
    """Import every line of ``text`` (CSV) or none. The caller (the command) is trusted:
    an operator with access to the server. One CUSTOMERS_IMPORTED audit event."""
    rows, errors = rows_check(rows_read(text))
    if errors:
        shown = errors[:MAX_ERRORS]
        if len(errors) > MAX_ERRORS:
            shown.append(f"... and {len(errors) - MAX_ERRORS} more problem(s)")
        return ImportReport(created=0, errors=shown)
    with transaction.atomic():
        for start in range(0, len(rows), BATCH):
            batch = rows[start:start + BATCH]
            with subjects_created(count=len(batch)) as subjects:
                users = customers_create_many(
                    people=[(r.email, r.full_name) for r in batch], subjects=subjects)
                Address.objects.bulk_create([
                    Address(user=user, subject_id=user.subject_id, is_default=True,
                            **row.address)
                    for user, row in zip(users, batch, strict=True) if row.address])
            if on_progress is not None:
                on_progress(start + len(batch), len(rows))
        audit_record(event=AuditEvent.CUSTOMERS_IMPORTED, actor=Actor.system("customers import"),
                     reason=f"{len(rows)} customers{' from ' + source if source else ''}"[:500])
    # A large import changes the tables' shape faster than autovacuum notices.
    statistics_refresh(get_user_model(), Address)
    return ImportReport(created=len(rows), errors=[])

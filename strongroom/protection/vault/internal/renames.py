"""Re-seal one encrypted column from one column context to another (a renamed field/model).

Every ciphertext's associated data names its column (``envelope.field_context``), so
renaming a field or its model turns every stored value into a DecryptionError. This
loop opens each value with the old context and seals the same plaintext bytes with
the new one, under the *same* data key (the key id in the header does not change), so
rotation state and crypto-shredding are untouched.

Invariants:
* Idempotent and resumable: a value that already opens under the target context is
  skipped, so a run killed after some committed batches finishes by running again, and
  values the new code wrote meanwhile are left alone.
* Fail closed: a value that opens under neither context (wrong KEK, missing key,
  tampering) stops the run with an error; it is never rewritten or dropped.
* Erased subjects stay erased: with no key there is nothing to re-seal, and the value
  keeps reading as ERASED.
* Optimistic writes: each UPDATE names the ciphertext it read, so a row the store
  changed concurrently is not overwritten; it is retried in another pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.db import models, transaction

from strongroom.protection.vault.fields import EncryptedField, Sealed
from strongroom.protection.vault.internal import envelope
from strongroom.protection.vault.internal.descriptor import row_aad
from strongroom.protection.vault.internal.envelope import EnvelopeError
from strongroom.protection.vault.internal.keymaterial import Key
from strongroom.protection.vault.internal.runtime import keystore
from strongroom.protection.vault.models import Subject

MAX_PASSES = 3  # passes over rows that changed under us before giving up


class ResealError(Exception):
    """Re-encryption cannot finish: a value opens under neither context, or rows keep
    changing under it. The message names the column and, for a bad value, the row."""


@dataclass(frozen=True)
class Column:
    """One encrypted column of a (historical) model and the contexts to move it between."""

    model: type[models.Model]
    field: EncryptedField
    source: bytes  # the context the values were sealed under
    target: bytes  # the context they must be sealed under

    @property
    def label(self) -> str:
        return f"{self.model._meta.label}.{self.field.name}"


@dataclass
class ResealReport:
    """Counts over all passes (a conflicted row is counted again in the next pass)."""

    resealed: int = 0
    already: int = 0  # opened under the target context: nothing to do
    erased: int = 0  # subject crypto-shredded: left as it is
    conflicts: int = 0  # changed concurrently; retried in the next pass


def column_reseal(*, column: Column, using: str, batch_size: int) -> ResealReport:
    """Move every non-NULL value of ``column`` to its target context, batch by batch."""
    if column.source == column.target:
        return ResealReport()
    report = ResealReport()
    for _ in range(MAX_PASSES):
        conflicts = report.conflicts
        _one_pass(column, using=using, batch_size=batch_size, report=report)
        if report.conflicts == conflicts:
            return report
    raise ResealError(
        f"{column.label}: rows kept changing during re-encryption; stop the store's "
        "writers (maintenance mode) and run the migration again"
    )


def _one_pass(column: Column, *, using: str, batch_size: int, report: ResealReport) -> None:
    field = column.field
    rows = (
        column.model._base_manager.using(using)
        .filter(**{f"{field.attname}__isnull": False})
        .order_by("pk")
    )
    last = None
    while True:
        page = rows if last is None else rows.filter(pk__gt=last)
        batch = list(page.values_list("pk", field.subject_attname, field.attname)[:batch_size])
        if not batch:
            return
        with transaction.atomic(using=using):
            reseal_batch(column, batch, using=using, report=report)
        last = batch[-1][0]


def reseal_batch(
    column: Column, batch: list[tuple[Any, Any, bytes]], *, using: str, report: ResealReport
) -> None:
    """Re-seal one batch of (pk, subject id, ciphertext) rows; one transaction."""
    keys = keystore().preload({subject for _, subject, _ in batch}, force=True)
    erased = _erased_subjects({s for _, s, blob in batch if _key_of(keys, s, blob) is None})
    manager = column.model._base_manager.using(using)
    attname = column.field.attname
    for pk, subject_id, stored in batch:
        blob = bytes(stored)
        key = _key_of(keys, subject_id, blob)
        if key is None:
            if subject_id in erased:
                report.erased += 1
                continue
            raise _unreadable(column, pk)
        fresh = _resealed(key, blob, column, pk)
        if fresh is None:
            report.already += 1
            continue
        changed = manager.filter(pk=pk, **{attname: Sealed(blob)}).update(
            **{attname: Sealed(fresh)}
        )
        if changed:
            report.resealed += 1
        else:
            report.conflicts += 1


def _resealed(key: Key, blob: bytes, column: Column, pk: Any) -> bytes | None:
    """The value sealed under the target context, or None if it already is."""
    key_id, row = envelope.key_id_of(blob), row_aad(pk)
    try:
        plaintext = envelope.open_(key, blob, column.source, row)
    except EnvelopeError:
        try:
            envelope.open_(key, blob, column.target, row)
        except EnvelopeError:
            raise _unreadable(column, pk) from None
        return None
    return envelope.seal(key, key_id, plaintext, column.target, row)


def _key_of(keys: dict[int, tuple[UUID, Key]], subject_id: Any, blob: bytes) -> Key | None:
    """The data key the ciphertext names, if it belongs to the row's subject."""
    try:
        entry = keys.get(envelope.key_id_of(blob))
    except EnvelopeError:
        return None
    if entry is None or subject_id is None or entry[0] != subject_id:
        return None
    return entry[1]


def _erased_subjects(subject_ids: set[Any]) -> set[Any]:
    if not subject_ids:
        return set()
    return set(
        Subject.objects.filter(pk__in=subject_ids, erased_at__isnull=False).values_list(
            "pk", flat=True
        )
    )


def _unreadable(column: Column, pk: Any) -> ResealError:
    return ResealError(
        f"{column.label}: the value in row {pk} decrypts under neither the old nor the new "
        "name. Check the key-encryption key (`strongroom keys status`); a value that was "
        "tampered with must be repaired or set to NULL before this migration can run"
    )


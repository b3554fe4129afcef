"""Batch loops behind key rotation. Each batch is one transaction; progress lives in
the data itself (a key's ``kek_version``/``state``, an index value's version
prefix), so a run killed at any point resumes by running again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID

from django.db import connection, transaction
from django.db.models import Model, Q

from strongroom.protection.vault.errors import DecryptionError
from strongroom.protection.vault.fields import Sealed
from strongroom.protection.vault.internal import envelope, registry
from strongroom.protection.vault.internal.keymaterial import Key, key_generate
from strongroom.protection.vault.internal.keystore import data_key_aad, index_key_aad
from strongroom.protection.vault.internal.kms import Wrapped
from strongroom.protection.vault.internal.runtime import keystore
from strongroom.protection.vault.models import DataKey, DataKeyState, IndexKey

Progress = Callable[[int, int], None]
MAX_BATCH = 100_000


def batch_size_check(batch_size: int) -> int:
    """A batch size for any of the vault's batch loops (rotation, renames)."""
    if not 1 <= batch_size <= MAX_BATCH:
        raise ValueError(f"batch_size must be between 1 and {MAX_BATCH}")
    return batch_size


def _noop(done: int, total: int) -> None:
    pass


# --- KEK rotation: rewrap data keys and index keys --------------------------------------------


def rewrap_all(*, batch_size: int, on_progress: Progress = _noop) -> int:
    kms = keystore().kms
    primary = kms.primary_version()
    todo = DataKey.objects.exclude(kek_version=primary)
    total = todo.count() + IndexKey.objects.exclude(kek_version=primary).count()
    done = 0
    table = connection.ops.quote_name(DataKey._meta.db_table)
    while rows := list(
        todo.order_by("id").values_list("id", "subject_id", "kek_version", "wrapped")[:batch_size]
    ):
        params = _rewrap_rows(kms, [(r[0], r[2], r[3], data_key_aad(r[1])) for r in rows])
        with transaction.atomic(), connection.cursor() as cursor:
            # Raw executemany: 100,000 keys must rewrap in well under a minute on SQLite.
            cursor.executemany(
                f"UPDATE {table} SET kek_version = %s, wrapped = %s WHERE id = %s AND kek_version = %s",  # noqa: S608, E501
                params,
            )
        done += len(rows)
        on_progress(done, total)
    for index_key in IndexKey.objects.exclude(kek_version=primary):
        ((version, blob, _, _),) = _rewrap_rows(
            kms,
            [
                (
                    index_key.version,
                    index_key.kek_version,
                    index_key.wrapped,
                    index_key_aad(index_key.version),
                )
            ],
        )
        IndexKey.objects.filter(pk=index_key.pk, kek_version=index_key.kek_version).update(
            kek_version=version, wrapped=blob
        )
        done += 1
        on_progress(done, total)
    keystore().forget_all()
    return done


def _rewrap_rows(
    kms, rows: list[tuple[int, int, bytes, bytes]]
) -> list[tuple[int, bytes, int, int]]:  # type: ignore[no-untyped-def]
    keys = kms.unwrap_many([(Wrapped(v, bytes(w)), aad) for _, v, w, aad in rows])
    if any(k is None for k in keys):
        raise DecryptionError()  # a missing or wrong KEK: never rewrap garbage
    wrapped = kms.wrap_many(keys, [r[3] for r in rows])
    return [(w.kek_version, w.blob, r[0], r[1]) for w, r in zip(wrapped, rows, strict=True)]


# --- Re-encryption under fresh data keys --------------------------------------------------------


@dataclass
class ReencryptReport:
    subjects: int = 0
    values: int = 0
    keys_deleted: int = 0
    keys_waiting: int = 0  # retiring keys kept until the grace period has passed
    conflicts: int = 0  # rows changed concurrently; picked up by the next run


def reencrypt_begin(*, now: Callable[[], dt.datetime]) -> None:
    """Retire every active data key, unless a re-encryption is already under way (then
    it is resumed as it is: keys created since, for new writes, are its fresh keys)."""
    if not DataKey.objects.filter(state=DataKeyState.RETIRING).exists():
        DataKey.objects.filter(state=DataKeyState.ACTIVE).update(
            state=DataKeyState.RETIRING, state_changed_at=now()
        )
    keystore().forget_all()  # no cached "active" key may outlive the state change here


def reencrypt_all(
    *,
    batch_size: int,
    grace: dt.timedelta,
    now: Callable[[], dt.datetime],
    on_progress: Progress = _noop,
) -> ReencryptReport:
    reencrypt_begin(now=now)
    retiring = DataKey.objects.filter(state=DataKeyState.RETIRING)
    total = retiring.values("subject_id").distinct().count()
    report, last = ReencryptReport(), None
    while True:
        subjects = retiring.order_by("subject_id").values_list("subject_id", flat=True).distinct()
        if last is not None:
            subjects = subjects.filter(subject_id__gt=last)
        batch = list(subjects[:batch_size])
        if not batch:
            break
        with transaction.atomic():
            _reencrypt_batch(batch, grace=grace, now=now, report=report)
        last = batch[-1]
        report.subjects += len(batch)
        on_progress(report.subjects, total)
    keystore().forget_all()
    return report


def _reencrypt_batch(
    subject_ids: list[UUID],
    *,
    grace: dt.timedelta,
    now: Callable[[], dt.datetime],
    report: ReencryptReport,
) -> None:
    store = keystore()
    old = dict(
        DataKey.objects.filter(subject_id__in=subject_ids, state=DataKeyState.RETIRING).values_list(
            "id", "state_changed_at"
        )
    )
    fresh = _active_keys(subject_ids)
    store.preload(subject_ids, force=True)
    dirty: set[UUID] = set()
    for model in registry.encrypted_models():
        fields = registry.encrypted_fields(model)
        subject_field = fields[0].subject_field
        rows = model._base_manager.filter(**{f"{subject_field}__in": subject_ids}).only(
            model._meta.pk.name, subject_field, *(f.name for f in fields)
        )
        for row in rows.select_for_update() if connection.features.has_select_for_update else rows:
            if not _reencrypt_row(row, fields, old, fresh, report):
                dirty.add(getattr(row, fields[0].subject_attname))
    cutoff = now() - grace
    deletable = [k for k, changed in old.items() if changed <= cutoff]
    deleted, _ = DataKey.objects.filter(id__in=deletable).exclude(subject_id__in=dirty).delete()
    report.keys_deleted += deleted
    report.keys_waiting += DataKey.objects.filter(
        subject_id__in=subject_ids, state=DataKeyState.RETIRING
    ).count()


def _reencrypt_row(
    row: Model,
    fields: list,
    old: dict[int, dt.datetime],
    fresh: dict[UUID, tuple[int, Key]],  # type: ignore[type-arg]
    report: ReencryptReport,
) -> bool:
    """Re-seal values still under a retiring key; False if the row changed under us.

    Re-sealing writes the current format (2), so rotation also moves format-1 values to
    padded ones, and turns the SQL NULLs of nullable fields into encrypted NULL markers
    (the column then no longer shows which rows have no value)."""
    data = row.__dict__
    expected: dict[str, Sealed | None] = {}
    updates: dict[str, Sealed] = {}
    for field in fields:
        sealed = data.get(field.attname)
        if sealed is None and field.null:
            current = field.row(row)
            expected[field.attname] = None
            updates[field.attname] = field.seal(None, current, key=fresh[current[1]])
            continue
        if type(sealed) is not Sealed or envelope.key_id_of(sealed) not in old:
            continue
        try:
            value = field.open(row, sealed)
        except DecryptionError:
            report.conflicts += 1
            return False  # unreadable: keep its key, report it
        current = field.row(row)
        expected[field.attname] = sealed
        updates[field.attname] = field.seal(value, current, key=fresh[current[1]])
    if not updates:
        return True
    changed = type(row)._base_manager.filter(pk=row.pk, **expected).update(**updates)
    report.values += len(updates) if changed else 0
    report.conflicts += 0 if changed else 1
    return bool(changed)


def _active_keys(subject_ids: list[UUID]) -> dict[UUID, tuple[int, Key]]:
    """The fresh key for each subject: its active key, or a new one (one KMS call)."""
    store = keystore()
    rows = list(
        DataKey.objects.filter(subject_id__in=subject_ids, state=DataKeyState.ACTIVE)
        .order_by("id")
        .values_list("id", "subject_id", "kek_version", "wrapped")
    )
    keys = store.kms.unwrap_many([(Wrapped(v, bytes(w)), data_key_aad(s)) for _, s, v, w in rows])
    if any(k is None for k in keys):
        raise DecryptionError()
    out = {s: (i, k) for (i, s, _, _), k in zip(rows, keys, strict=True)}  # newest wins
    missing = [s for s in subject_ids if s not in out]
    new = [key_generate() for _ in missing]
    wrapped = store.kms.wrap_many(new, [data_key_aad(s) for s in missing])
    created = DataKey.objects.bulk_create(
        [
            DataKey(subject_id=s, kek_version=w.kek_version, wrapped=w.blob)
            for s, w in zip(missing, wrapped, strict=True)
        ]
    )
    for subject_id, row, key in zip(missing, created, new, strict=True):
        if row.id is None:  # backends without RETURNING on bulk insert
            row = DataKey.objects.filter(subject_id=subject_id, state=DataKeyState.ACTIVE).latest(
                "id"
            )
        out[subject_id] = (row.id, key)
    return out


# --- Blind index re-indexing ---------------------------------------------------------------------


def reindex_all(*, batch_size: int, on_progress: Progress = _noop) -> int:
    store = keystore()
    store.forget_all()
    primary = store.index_keys()[0][0]
    prefix = f"{primary}$"
    done = 0
    plans = []
    for model in registry.indexed_models():
        fields = registry.index_fields(model)
        stale = Q()
        for field in fields:
            stale |= Q(**{f"{field.name}__isnull": False}) & ~Q(
                **{f"{field.name}__startswith": prefix}
            )
        plans.append((model, fields, model._base_manager.filter(stale)))
    total = sum(qs.count() for _, _, qs in plans)
    for model, fields, stale_rows in plans:
        enc = registry.encrypted_fields(model)
        while batch := list(stale_rows.order_by("pk")[:batch_size]):
            store.preload([getattr(r, enc[0].subject_attname) for r in batch])
            for row in batch:
                for field in fields:
                    setattr(row, field.attname, field.index_value(getattr(row, field.source)))
            with transaction.atomic():
                model._base_manager.bulk_update(batch, [f.name for f in fields])
            done += len(batch)
            on_progress(done, total)
    return done

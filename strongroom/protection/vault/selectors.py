"""Vault reads: key preloading, blind-index lookups, key status."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from uuid import UUID

from django.db.models import Count

from strongroom.protection.vault.internal import blindindex, keyfiles, registry
from strongroom.protection.vault.internal.runtime import keystore
from strongroom.protection.vault.models import DataKey, DataKeyState, IndexKey, Subject


def keys_preload(*, subject_ids: Iterable[UUID]) -> None:
    """Fetch and unwrap the data keys of many subjects in one query and one KMS call.

    Call it with a page's subject ids before reading encrypted fields, e.g.
    ``keys_preload(subject_ids=[c.subject_id for c in page])``: a 50-row list then
    costs one key query instead of 50.
    """
    keystore().preload(subject_ids)


def blind_index_candidates(kind: str, value: str) -> list[str]:
    """Index values of ``value`` under every live index key, primary first.

    ``Customer.objects.filter(email_index__in=blind_index_candidates("email", v))``
    """
    if value is None:
        return []
    value = str(value)
    if not blindindex.normalize(kind, value):
        return []
    return [blindindex.compute(kind, value, v, key) for v, key in keystore().index_keys()]


def subject_is_erased(*, subject_id: UUID) -> bool:
    return Subject.objects.filter(pk=subject_id, erased_at__isnull=False).exists()


@dataclass(frozen=True)
class KekVersionStatus:
    version: int
    primary: bool
    data_keys: int
    index_keys: int

    @property
    def retirable(self) -> bool:
        return not self.primary and self.data_keys == 0 and self.index_keys == 0


@dataclass(frozen=True)
class IndexVersionStatus:
    version: int
    primary: bool
    rows: int

    @property
    def retirable(self) -> bool:
        return not self.primary and self.rows == 0


@dataclass(frozen=True)
class KeyStatus:
    source: str
    location: str
    kek_versions: list[KekVersionStatus]
    index_versions: list[IndexVersionStatus]
    data_keys_retiring: int
    subjects_erased: int
    missing_versions: list[int] = field(default_factory=list)  # used in DB, absent from KMS


def key_status() -> KeyStatus:
    kms = keystore().kms
    present = set(kms.versions())
    primary = kms.primary_version() if present else 0
    dk = dict(DataKey.objects.values_list("kek_version").annotate(n=Count("id")).order_by())
    ik = dict(IndexKey.objects.values_list("kek_version").annotate(n=Count("version")).order_by())
    keks = [
        KekVersionStatus(v, v == primary, dk.get(v, 0), ik.get(v, 0))
        for v in sorted(present | set(dk) | set(ik))
    ]
    index_versions = list(IndexKey.objects.order_by("version").values_list("version", flat=True))
    rows = {
        v: sum(
            model._base_manager.filter(**{f"{f.name}__startswith": f"{v}$"}).count()
            for model in registry.indexed_models()
            for f in registry.index_fields(model)
        )
        for v in index_versions
    }
    top = max(index_versions, default=0)
    return KeyStatus(
        source=kms.source,
        location="STRONGROOM_KEK" if kms.source == "env" else str(keyfiles.keys_dir(kms.data_dir)),  # type: ignore[attr-defined]
        kek_versions=keks,
        index_versions=[IndexVersionStatus(v, v == top, n) for v, n in rows.items()],
        data_keys_retiring=DataKey.objects.filter(state=DataKeyState.RETIRING).count(),
        subjects_erased=Subject.objects.filter(erased_at__isnull=False).count(),
        missing_versions=sorted((set(dk) | set(ik)) - present),
    )


def kek_created_at(*, version: int) -> dt.datetime | None:
    """When key-encryption key ``version`` was made: its key file's modification time
    (a version's file is written once and never rewritten). None when the key comes
    from STRONGROOM_KEK (its age is known only where it is kept) or has no file."""
    kms = keystore().kms
    if kms.source == "env":
        return None
    path = keyfiles.kek_path(kms.data_dir, version)  # type: ignore[attr-defined]
    try:
        return dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC)
    except FileNotFoundError:
        return None

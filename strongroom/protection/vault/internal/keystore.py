"""Data keys and blind-index keys: fetch, unwrap in batches, cache, create.

Threats handled here:
* A DataKey row moved to another subject: the wrap's associated data is the
  subject id, so unwrapping fails.
* A ciphertext naming another subject's key id: ``key_for_decrypt`` checks the
  key belongs to the row's subject before using it.
* A key created inside a transaction that later rolls back: it is only cached
  after commit, so no process keeps encrypting under a key the DB never stored.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Final
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from strongroom.protection.vault.errors import DecryptionError, SubjectErasedError
from strongroom.protection.vault.internal import keymaterial
from strongroom.protection.vault.internal.cache import BoundedCache
from strongroom.protection.vault.internal.envelope import header as envelope_header
from strongroom.protection.vault.internal.keymaterial import Key
from strongroom.protection.vault.internal.kms import KMS, Wrapped

ERASED_KEY: Final = object()  # sentinel: the subject was crypto-shredded


def data_key_aad(subject_id: UUID) -> bytes:
    return b"dk\x00" + subject_id.bytes


def index_key_aad(version: int) -> bytes:
    return b"ix\x00" + version.to_bytes(4, "big")


class KeyStore:
    def __init__(
        self,
        kms: KMS,
        *,
        max_entries: int = 20_000,
        max_age: float = 300.0,
        active_max_age: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.kms = kms
        # key id -> (subject id, Key)
        self._keys: BoundedCache[tuple[UUID, Key]] = BoundedCache(
            max_entries=max_entries, max_age=max_age, clock=clock
        )
        # subject id -> ids of its keys we hold (None: erased). Short-lived so a
        # rotation or shred in another process is seen within active_max_age.
        self._subjects: BoundedCache[tuple[int, ...] | None] = BoundedCache(
            max_entries=max_entries, max_age=active_max_age, clock=clock
        )
        self._index: BoundedCache[tuple[tuple[int, Key], ...]] = BoundedCache(
            max_entries=1, max_age=active_max_age, clock=clock
        )
        self._active: BoundedCache[tuple[int, Key]] = BoundedCache(
            max_entries=max_entries, max_age=active_max_age, clock=clock
        )
        self._local = threading.local()
        # The read hot path (``descriptor.PyEncryptedAttribute.__get__`` and its compiled twin
        # ``internal/_fastread.c`` read it directly; its layout is their contract):
        # the header's key id (bytes 1-9 of a ciphertext, whatever its format version) ->
        # (subject id as int, the key's AEAD, expiry on
        # time.monotonic). Mirrors ``_keys``: same age limit, cleared and forgotten with it, so
        # a cached read is one dict lookup with no header parsing, and the reader still
        # checks the subject and the age exactly as ``key_for_decrypt`` does.
        self._max_age = max_age
        self._max_entries = max_entries
        self.clock = clock
        self.hot: dict[bytes, tuple[int, object, float]] = {}

    # --- data keys: reading -------------------------------------------------------------

    def _remember(self, key_id: int, subject_id: UUID, key: Key) -> None:
        self._keys.put(key_id, (subject_id, key))
        if self.clock is not time.monotonic:
            return  # the hot path reads time.monotonic: only used with the real clock
        if len(self.hot) >= self._max_entries:
            self.hot.clear()  # rare: a process touching more subjects than the cache holds
        self.hot[envelope_header(key_id)[1:]] = (
            subject_id.int, keymaterial.aead_of(key), self.clock() + self._max_age
        )

    def key_for_decrypt(self, key_id: int, subject_id: UUID) -> Key | object:
        entry = self._keys.get(key_id)
        if entry is not None and entry[0].int == subject_id.int:
            return entry[1]  # hot path
        if entry is None:
            entry = self.preload([subject_id], force=True).get(key_id)
            if entry is None:
                if self._subjects.get(subject_id) is None and self._is_erased(subject_id):
                    return ERASED_KEY
                raise DecryptionError()
        if entry[0] != subject_id:
            raise DecryptionError()
        return entry[1]

    def preload(
        self, subject_ids: Iterable[UUID], *, force: bool = False
    ) -> dict[int, tuple[UUID, Key]]:
        """Load and unwrap every key of these subjects in one query + one KMS call."""
        # Function-level: vault.models imports fields, which import this module (a cycle).
        from strongroom.protection.vault.models import DataKey

        wanted = {s for s in subject_ids if s is not None}
        if not force:
            wanted = {s for s in wanted if self._subjects.get(s) is None}
        if not wanted:
            return {}
        rows = list(
            DataKey.objects.filter(subject_id__in=wanted)
            .order_by("id")
            .values_list("id", "subject_id", "kek_version", "wrapped")
        )
        keys = self.kms.unwrap_many(
            [(Wrapped(v, bytes(w)), data_key_aad(s)) for _, s, v, w in rows]
        )
        loaded: dict[int, tuple[UUID, Key]] = {}
        by_subject: dict[UUID, list[int]] = {}
        pending = self._pending()
        for (key_id, subject_id, _, _), key in zip(rows, keys, strict=True):
            if key is None:
                continue  # unwrap failure surfaces as DecryptionError on use
            loaded[key_id] = (subject_id, key)
            if key_id not in pending:
                self._remember(key_id, subject_id, key)
                by_subject.setdefault(subject_id, []).append(key_id)
        for subject_id, ids in by_subject.items():
            self._subjects.put(subject_id, tuple(ids))
        return loaded

    def _is_erased(self, subject_id: UUID) -> bool:
        # Function-level: vault.models imports fields, which import this module (a cycle).
        from strongroom.protection.vault.models import Subject

        return Subject.objects.filter(pk=subject_id, erased_at__isnull=False).exists()

    # --- data keys: writing ----------------------------------------------------------------

    def key_for_encrypt(self, subject_id: UUID) -> tuple[int, Key]:
        """The subject's newest active key, creating one if it has none."""
        # Function-level: vault.models imports fields, which import this module (a cycle).
        from strongroom.protection.vault.models import DataKey, DataKeyState, Subject

        fresh = getattr(self._local, "fresh", None)
        if fresh is not None and subject_id in fresh:
            return fresh[subject_id]
        active = self._active.get(subject_id)
        if active is not None:
            return active
        row = (
            DataKey.objects.filter(subject_id=subject_id, state=DataKeyState.ACTIVE)
            .order_by("-id")
            .values_list("id", "kek_version", "wrapped")
            .first()
        )
        if row is not None:
            key_id, version, wrapped = row
            key = self.kms.unwrap_many(
                [(Wrapped(version, bytes(wrapped)), data_key_aad(subject_id))]
            )[0]
            if key is None:
                raise DecryptionError()
        else:
            erased = Subject.objects.filter(pk=subject_id).values_list("erased_at", flat=True)
            if not erased or erased[0] is not None:
                raise SubjectErasedError("this data subject was erased (or does not exist)")
            key_id, key = self.data_key_create(subject_id)
        if key_id in self._pending():
            return key_id, key  # not cached until the creating transaction commits
        self._active.put(subject_id, (key_id, key))
        self._remember(key_id, subject_id, key)
        return key_id, key

    def data_key_create(self, subject_id: UUID) -> tuple[int, Key]:
        # Function-level: vault.models imports fields, which import this module (a cycle).
        from strongroom.protection.vault.models import DataKey

        key = keymaterial.key_generate()
        wrapped = self.kms.wrap_many([key], [data_key_aad(subject_id)])[0]
        row = DataKey.objects.create(
            subject_id=subject_id, kek_version=wrapped.kek_version, wrapped=wrapped.blob
        )
        pending = self._pending()
        pending.add(row.id)
        transaction.on_commit(lambda: pending.discard(row.id))
        return row.id, key

    def data_keys_create_many(self, subject_ids: list[UUID]) -> dict[UUID, tuple[int, Key]]:
        """First keys of many new subjects: one KMS call and one INSERT for the lot.
        Like ``data_key_create``, not cached: the caller encrypts with them through
        ``encrypting_with`` inside the transaction that created them."""
        # Function-level: vault.models imports fields, which import this module (a cycle).
        from strongroom.protection.vault.models import DataKey

        keys = [keymaterial.key_generate() for _ in subject_ids]
        wrapped = self.kms.wrap_many(keys, [data_key_aad(s) for s in subject_ids])
        rows = DataKey.objects.bulk_create([
            DataKey(subject_id=s, kek_version=w.kek_version, wrapped=w.blob)
            for s, w in zip(subject_ids, wrapped, strict=True)])
        if any(row.id is None for row in rows):  # every supported database returns ids
            raise RuntimeError("the database did not return the new data keys' ids")
        pending = self._pending()
        ids = {row.id for row in rows}
        pending.update(ids)
        transaction.on_commit(lambda: pending.difference_update(ids))
        return {s: (row.id, key) for s, row, key in zip(subject_ids, rows, keys, strict=True)}

    @contextmanager
    def encrypting_with(self, keys: dict[UUID, tuple[int, Key]]) -> Iterator[None]:
        """Inside the block (this thread only), writes for these subjects seal under
        these keys, without the read-back and unwrap ``key_for_encrypt`` does for a key
        created in the running transaction."""
        self._local.fresh = keys
        try:
            yield
        finally:
            self._local.fresh = None

    def _pending(self) -> set[int]:
        pending = getattr(self._local, "pending", None)
        if pending is None:
            pending = self._local.pending = set()
        return pending

    def forget_subject(self, subject_id: UUID) -> None:
        self._subjects.discard(subject_id)
        self._active.discard(subject_id)
        self._keys.discard_where(lambda entry: entry[0] == subject_id)
        gone = subject_id.int
        for head in [h for h, entry in list(self.hot.items()) if entry[0] == gone]:
            self.hot.pop(head, None)

    def forget_all(self) -> None:
        for cache in (self._keys, self._subjects, self._index, self._active):
            cache.clear()
        self.hot.clear()

    # --- blind-index keys -------------------------------------------------------------------

    def index_keys(self) -> tuple[tuple[int, Key], ...]:
        """Every live index key, newest (primary) first; creates version 1 if none."""
        cached = self._index.get(0)
        if cached is not None:
            return cached
        # Function-level: vault.models imports fields, which import this module (a cycle).
        from strongroom.protection.vault.models import IndexKey

        rows = list(
            IndexKey.objects.order_by("-version").values_list("version", "kek_version", "wrapped")
        )
        if not rows:
            self.index_key_create()
            return self.index_keys()
        keys = self.kms.unwrap_many([(Wrapped(k, bytes(w)), index_key_aad(v)) for v, k, w in rows])
        if any(k is None for k in keys):
            raise DecryptionError()
        live = tuple((v, k) for (v, _, _), k in zip(rows, keys, strict=True) if k is not None)
        self._index.put(0, live)
        return live

    def index_key_create(self) -> int:
        # Function-level: vault.models imports fields, which import this module (a cycle).
        from strongroom.protection.vault.models import IndexKey

        with transaction.atomic():
            last = IndexKey.objects.select_for_update().order_by("-version").first()
            version = (last.version if last else 0) + 1
            wrapped = self.kms.wrap_many([keymaterial.key_generate()], [index_key_aad(version)])[0]
            IndexKey.objects.create(
                version=version,
                kek_version=wrapped.kek_version,
                wrapped=wrapped.blob,
                created_at=timezone.now(),
            )
        self._index.clear()
        return version

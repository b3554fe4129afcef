"""Vault writes: key set-up, subjects, shredding, rotation, retirement.

Callers are trusted code paths (commands, privacy/incident services); none of these
functions checks staff authorization: the entry point that calls them must.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from strongroom.protection.vault import signals
from strongroom.protection.vault.errors import KeyConfigError, KeyInUseError
from strongroom.protection.vault.internal import keyfiles, registry, rotation
from strongroom.protection.vault.internal.rotation import Progress, ReencryptReport
from strongroom.protection.vault.internal.runtime import keystore, reset
from strongroom.protection.vault.models import DataKey, DataKeyState, IndexKey, Subject

# Other processes cache "the active key of subject S" for at most 60 s (KeyStore
# active_max_age); old data keys are deleted only after that plus a margin for
# transactions in flight, so no process can still be writing under them.
REENCRYPT_GRACE = dt.timedelta(seconds=90)


def vault_init() -> int:
    """Create the key directory (0700) and first KEK file (0600) unless a KEK exists.

    Returns the primary KEK version. Idempotent; safe to run on every start.
    """
    if not getattr(settings, "STRONGROOM_KEK", None):
        keyfiles.keys_dir_create(settings.STRONGROOM_DATA_DIR)
    kms = keystore().kms
    unsafe = keyfiles.unsafe_key_paths(settings.STRONGROOM_DATA_DIR)
    if unsafe:
        raise KeyConfigError(
            f"{unsafe[0]} is readable by other users: run `chmod go-rwx {unsafe[0]}`"
        )
    if not kms.versions():
        kms.version_create()
    reset()
    return keystore().kms.primary_version()


def subject_create() -> Subject:
    """A new data subject with its first data key."""
    with transaction.atomic():
        subject = Subject.objects.create()
        keystore().data_key_create(subject.id)
    return subject


@contextmanager
def subjects_created(*, count: int) -> Iterator[list[Subject]]:
    """``count`` new data subjects, each with its first data key, for a bulk import.

    One INSERT for the subjects, one KMS call and one INSERT for their keys, instead of
    two INSERTs, a wrap, and (on the first encrypted write) a SELECT and an unwrap per
    subject. Rows with encrypted fields saved (or ``bulk_create``d) inside the block seal
    under these keys. Runs in one transaction: an exception in the block leaves nothing.
    """
    if count < 0:
        raise ValueError("count must not be negative")
    with transaction.atomic():
        subjects = Subject.objects.bulk_create([Subject() for _ in range(count)])
        keys = keystore().data_keys_create_many([s.id for s in subjects])
        with keystore().encrypting_with(keys):
            yield subjects


def subject_shred(*, subject_id: UUID) -> None:
    """Crypto-shred: destroy the subject's data keys; their data reads as ERASED.

    Also clears the subject's blind indexes (otherwise anyone holding the KEK
    could still confirm "was alice@example.com a customer?"). Idempotent.
    Other processes stop decrypting within the key cache's max age.
    """
    with transaction.atomic():
        Subject.objects.filter(pk=subject_id, erased_at__isnull=True).update(
            erased_at=timezone.now()
        )
        DataKey.objects.filter(subject_id=subject_id).delete()
        for model in registry.indexed_models():
            subject_field = registry.encrypted_fields(model)[0].subject_field
            model._base_manager.filter(**{subject_field: subject_id}).update(
                **{f.name: None for f in registry.index_fields(model)}
            )
        _announce("subject_shredded", subject_id=subject_id)
    keystore().forget_subject(subject_id)


def kek_rotate(
    *,
    reencrypt: bool = False,
    batch_size: int = 1000,
    on_progress: Progress | None = None,
    now: Callable[[], dt.datetime] = timezone.now,
) -> int:
    """Make a new KEK version primary (unless a rotation is unfinished) and rewrap to it.

    With ``reencrypt`` the rotation also retires every active data key (the caller then
    runs ``data_reencrypt`` to move the data to fresh keys). The mark comes *before* the
    rewrap, so from the first change onwards the database itself says a rotation is in
    progress: a run killed anywhere (in the rewrap, between the phases or in the
    re-encryption) is finished by running it again, not replaced by yet another KEK
    version (which would leave the interrupted one half done and old keys alive).
    With STRONGROOM_KEK the new version comes from the environment.
    Returns the number of keys rewrapped.
    """
    kms = keystore().kms
    if not rotation_unfinished() and kms.source == "file":
        kms.version_create()
    if reencrypt:
        rotation.reencrypt_begin(now=now)
    done = data_keys_rewrap(batch_size=batch_size, on_progress=on_progress)
    _announce("kek_rotated", detail=f"KEK version {kms.primary_version()}; {done} keys rewrapped")
    return done


def rotation_unfinished() -> bool:
    """A rewrap to the primary KEK or a re-encryption was started and not finished."""
    primary = keystore().kms.primary_version()
    return (
        DataKey.objects.exclude(kek_version=primary).exists()
        or IndexKey.objects.exclude(kek_version=primary).exists()
        or DataKey.objects.filter(state=DataKeyState.RETIRING).exists()
    )


def data_keys_rewrap(*, batch_size: int = 1000, on_progress: Progress | None = None) -> int:
    """Rewrap every data and index key not yet under the primary KEK, in batches."""
    rotation.batch_size_check(batch_size)
    return rotation.rewrap_all(batch_size=batch_size, on_progress=on_progress or _noop)


def data_reencrypt(
    *,
    batch_size: int = 200,
    grace: dt.timedelta | None = None,
    now: Callable[[], dt.datetime] = timezone.now,
    on_progress: Progress | None = None,
) -> ReencryptReport:
    """Re-encrypt all data under fresh data keys, online, batch by batch; resumable.

    Old data keys are deleted once nothing references them and ``grace`` has passed
    since they stopped being used for writes; until then ``keys_waiting`` > 0 and a
    later run finishes the job.
    """
    rotation.batch_size_check(batch_size)
    report = rotation.reencrypt_all(
        batch_size=batch_size,
        grace=REENCRYPT_GRACE if grace is None else grace,
        now=now,
        on_progress=on_progress or _noop,
    )
    _announce("data_reencrypted", detail=str(report)[:200])
    return report


def kek_retire(*, version: int) -> None:
    """Destroy KEK ``version``; refuses while any key is still wrapped under it."""
    kms = keystore().kms
    if version not in kms.versions():
        raise KeyInUseError(f"there is no KEK version {version} (versions: {list(kms.versions())})")
    if version == kms.primary_version():
        raise KeyInUseError(
            f"KEK version {version} is the primary: rotate first (`strongroom keys rotate`)"
        )
    in_use = (
        DataKey.objects.filter(kek_version=version).count()
        + IndexKey.objects.filter(kek_version=version).count()
    )
    if in_use:
        raise KeyInUseError(
            f"KEK version {version} still protects {in_use} keys: finish `strongroom keys rotate` first"  # noqa: E501
        )
    kms.version_destroy(version)
    _announce("kek_retired", detail=f"KEK version {version}")


def index_key_rotate(*, batch_size: int = 500, on_progress: Progress | None = None) -> int:
    """Add a new primary blind-index key and re-index every row under it.

    Lookups keep matching throughout: candidates are computed under every live key.
    Returns the new version.
    """
    version = keystore().index_key_create()
    index_rows_reindex(batch_size=batch_size, on_progress=on_progress)
    _announce("index_key_rotated", detail=f"blind-index key version {version}")
    return version


def index_rows_reindex(*, batch_size: int = 500, on_progress: Progress | None = None) -> int:
    """Recompute blind indexes not under the primary index key. Resumable."""
    rotation.batch_size_check(batch_size)
    return rotation.reindex_all(batch_size=batch_size, on_progress=on_progress or _noop)


def index_key_retire(*, version: int) -> None:
    """Delete blind-index key ``version``; refuses while any row still uses it."""
    keys = keystore().index_keys()
    if version not in {v for v, _ in keys}:
        raise KeyInUseError(f"there is no blind-index key version {version}")
    if version == keys[0][0]:
        raise KeyInUseError(
            f"blind-index key {version} is the primary: run `strongroom keys rotate-index` first"
        )
    prefix = f"{version}$"
    for model in registry.indexed_models():
        stale = Q()
        for field in registry.index_fields(model):
            stale |= Q(**{f"{field.name}__startswith": prefix})
        if model._base_manager.filter(stale).exists():
            raise KeyInUseError(
                f"blind-index key {version} is still used by {model._meta.label}: run `strongroom keys reindex`"  # noqa: E501
            )
    with transaction.atomic():
        IndexKey.objects.filter(version=version).delete()
        _announce("index_key_retired", detail=f"blind-index key version {version}")
    keystore().forget_all()


def _announce(event: str, *, subject_id: UUID | None = None, detail: str = "") -> None:
    signals.key_operation.send(sender=Subject, event=event, subject_id=subject_id,
                               detail=detail)


def _noop(done: int, total: int) -> None:
    pass

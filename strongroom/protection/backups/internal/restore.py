"""Reading a backup back: find it, check it, open it, restore it into a NEW database.

Everything that can refuse happens before anything changes: the manifest signature
(against a key the restorer holds: the data directory's, or the one named in the
recovery key file), the payload's SHA-256, the recovery key, the archive layout, key
files that would conflict, an unreadable erasure-ledger line. Then the database is
built beside the live one, migrated, the erasure ledger replayed in it, the restore and
its audit gap recorded in its log, and it is checked; only then is it switched in. A
failure before the switch drops the new database: nothing is half-restored.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from strongroom.protection.backups.errors import BackupError, BackupErrorCode, DestinationError
from strongroom.protection.backups.internal import archive
from strongroom.protection.backups.internal.destinations import Destination, destination_for
from strongroom.protection.vault.errors import KeyConfigError
from strongroom.protection.vault.recovery import (
    RecoveryIdentity,
    RecoveryKeyError,
    archive_decrypt,
)
from strongroom.protection.vault.signing import public_key_load

Progress = Callable[[str], None]


def trusted_keys(identity: RecoveryIdentity | None) -> list[str]:
    keys = []
    try:
        keys.append(public_key_load(data_dir=Path(settings.STRONGROOM_DATA_DIR)))
    except KeyConfigError:
        pass
    if identity is not None and identity.signing_public_b64:
        keys.append(identity.signing_public_b64)
    if not keys:
        raise BackupError(BackupErrorCode.NO_RECOVERY_KEY, "no signing public key to check "
                          "the backup with: give --recovery-key (its file names the key)")
    return keys


def manifest_read(dest: Destination, backup_id: str, keys: list[str]) -> dict[str, Any]:
    raw = dest.read(backup_id, archive.MANIFEST)
    signature = dest.read(backup_id, archive.SIGNATURE)
    last: archive.ArchiveError | None = None
    for public in keys:
        try:
            return archive.manifest_check(raw=raw, signature=signature, public_b64=public)
        except archive.ArchiveError as exc:
            last = exc
    raise BackupError(BackupErrorCode.TAMPERED, f"backup {backup_id} at {dest.url} is "
                      f"refused: {last}")


def sources(backup_id: str, source: str | None) -> list[Destination]:
    urls = [source] if source else list(settings.STRONGROOM_BACKUPS.destinations)
    if not urls:
        raise BackupError(BackupErrorCode.NO_DESTINATIONS, "no backup destination: give "
                          "--from URL or set STRONGROOM_BACKUP_DESTINATIONS")
    found, errors = [], []
    for url in urls:
        try:
            dest = destination_for(url)
            if backup_id in dest.ids():
                found.append(dest)
        except DestinationError as exc:
            errors.append(exc.message)
    if not found:
        where = ", ".join(urls)
        why = f" ({errors[0]})" if errors else ""
        raise BackupError(BackupErrorCode.NOT_FOUND, f"no complete backup {backup_id} at "
                          f"{where}{why}: `strongroom backup list` shows what there is")
    return found


@dataclass(frozen=True)
class Opened:
    manifest: dict[str, Any]
    root: Path  # the extracted payload
    source: str


def backup_open(*, backup_id: str, source: str | None, identity: RecoveryIdentity,
                staging: Path, progress: Progress) -> Opened:
    """Fetch, check (signature, checksum), decrypt and extract one backup."""
    keys = trusted_keys(identity)
    refusals = []
    for dest in sources(backup_id, source):
        try:
            manifest = manifest_read(dest, backup_id, keys)
            progress(f"fetching {backup_id} from {dest.url}")
            payload = staging / archive.PAYLOAD
            dest.fetch(backup_id, archive.PAYLOAD, payload)
            try:
                archive.payload_check(payload, manifest)
            except archive.ArchiveError as exc:
                raise BackupError(BackupErrorCode.TAMPERED, f"backup {backup_id} at "
                                  f"{dest.url} is refused: {exc}") from None
        except (BackupError, DestinationError) as exc:
            refusals.append(exc)
            continue
        break
    else:
        raise refusals[0]
    progress("decrypting with the recovery key")
    tar = staging / "payload.tar.gz"
    try:
        archive_decrypt(source=payload, dest=tar, identity=identity)
    except RecoveryKeyError as exc:
        raise BackupError(BackupErrorCode.WRONG_KEY, str(exc)) from None
    payload.unlink()
    root = staging / "payload"
    try:
        archive.unpack(tar_path=tar, into=root)
        inner = json.loads((root / archive.INNER_MANIFEST).read_bytes())
    except (archive.ArchiveError, OSError, ValueError) as exc:
        raise BackupError(BackupErrorCode.TAMPERED, f"backup {backup_id}: {exc}") from None
    finally:
        tar.unlink(missing_ok=True)
    if inner.get("id") != manifest["id"] or inner.get("counts") != manifest.get("counts"):
        raise BackupError(BackupErrorCode.TAMPERED, f"backup {backup_id}: the encrypted "
                          "payload belongs to another backup than its signed manifest")
    return Opened(manifest, root, dest.url)


def database_file(opened: Opened) -> Path:
    found = sorted((opened.root / "database").glob("database.*"))
    if len(found) != 1:
        raise BackupError(BackupErrorCode.TAMPERED, "the backup holds no database snapshot")
    return found[0]


def key_conflicts(opened: Opened, data_dir: Path) -> list[str]:
    """Key files in the backup that differ from a file of the same name here."""
    conflicts = []
    for path in sorted((opened.root / "keys").glob("*")):
        local = data_dir / "keys" / path.name
        if local.exists() and local.read_bytes().strip() != path.read_bytes().strip():
            conflicts.append(path.name)
    return conflicts


def keys_install(opened: Opened, data_dir: Path) -> list[str]:
    """Put the backup's key files where none exist (never overwriting one)."""
    installed = []
    keys = data_dir / "keys"
    keys.mkdir(mode=0o700, parents=True, exist_ok=True)
    for path in sorted((opened.root / "keys").glob("*")):
        local = keys / path.name
        if not local.exists():
            shutil.copyfile(path, local)
            local.chmod(0o644 if local.suffix == ".pub" else 0o600)
            installed.append(path.name)
    return installed


def media_install(opened: Opened) -> int:
    """Media files missing here come back from the backup (existing ones are kept)."""
    count = 0
    media = opened.root / "files" / "media"
    target = Path(settings.MEDIA_ROOT)
    for path in sorted(media.rglob("*")) if media.is_dir() else []:
        if path.is_file():
            local = target / path.relative_to(media)
            if not local.exists():
                local.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, local)
                count += 1
    return count

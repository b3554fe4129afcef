"""One backup: snapshot, verify in a scratch database, pack, encrypt, sign, send, read back.

Order matters:
* the data-directory files (audit checkpoints, erasure ledger) are copied BEFORE the
  database snapshot, so every checkpoint in the copy is also in the snapshot;
* the snapshot is verified by restoring it into a scratch database before it is sealed:
  a backup that does not restore is never sent;
* plaintext (the snapshot, the tar) lives only in the 0700 staging folder of the data
  directory and is deleted as soon as it is encrypted; the staging folder is removed at
  the end, whatever happened;
* a destination that fails raises an alert and does not stop the others.
"""

from __future__ import annotations

import os
import secrets
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, connections, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from strongroom.protection.alerts.services import alert_raise
from strongroom.protection.audit.events import Actor, AuditEvent
from strongroom.protection.audit.services import audit_record
from strongroom.protection.backups.errors import BackupError, BackupErrorCode, DestinationError
from strongroom.protection.backups.internal import archive, scratch
from strongroom.protection.backups.internal.destinations import destination_for, pid_alive
from strongroom.protection.backups.internal.ledger import LEDGER_PATH
from strongroom.protection.backups.internal.snapshot import (
    Snapshot,
    database_drop,
    engine_of,
    scratch_name,
    snapshot_load,
    snapshot_take,
)
from strongroom.protection.backups.models import Backup, BackupCopy
from strongroom.protection.vault.recovery import archive_encrypt, recipient_load
from strongroom.protection.vault.signing import signing_key_load

Progress = Callable[[str], None]
CHECKPOINTS = Path("audit") / "checkpoints.jsonl"


def safe_url(url: str) -> str:
    return url.split("?", 1)[0]  # destinations carry no credentials; never a query string


def staging_dir(name: str) -> Path:
    """A private work folder (0700, in the data directory) holding this process's id, so
    the next run removes what a killed run left (plaintext snapshots included)."""
    parent = Path(settings.STRONGROOM_DATA_DIR) / "backups" / "staging"
    parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    for stale in parent.iterdir():
        pid = stale / "pid"
        if stale.is_dir() and pid.exists() and not pid_alive(pid.read_text().strip()):
            shutil.rmtree(stale, ignore_errors=True)
    path = parent / name
    path.mkdir(mode=0o700)
    (path / "pid").write_text(str(os.getpid()))
    return path


def _data_files(data_dir: Path, staging: Path) -> dict[str, Path]:
    """Files of the data directory that travel in the backup (archive name -> path)."""
    members: dict[str, Path] = {}
    for rel in (CHECKPOINTS, LEDGER_PATH):  # appended to concurrently: copy them first
        if (data_dir / rel).exists():
            copy = staging / ("copy-" + rel.name)
            shutil.copyfile(data_dir / rel, copy)
            members[f"files/{rel.as_posix()}"] = copy
    media = Path(settings.MEDIA_ROOT)
    if media.is_dir():
        for path in sorted(media.rglob("*")):
            if path.is_file() and not path.is_symlink():
                members[f"files/media/{path.relative_to(media).as_posix()}"] = path
    if not settings.STRONGROOM_KEK:  # an externally supplied KEK stays outside, by design
        for path in sorted((data_dir / "keys").glob("kek-*.key")):
            members[f"keys/{path.name}"] = path
    for name in ("audit-signing.key", "audit-signing.pub"):
        if (data_dir / "keys" / name).exists():
            members[f"keys/{name}"] = data_dir / "keys" / name
    return members


class _Verification:
    """The snapshot restored into a scratch database and checked by a child process,
    which runs while this process works on (two cores, one backup); nothing is sent
    until it has passed. ``move``: the snapshot file itself becomes the scratch
    database (SQLite, once it is packed: the archive holds exactly the file checked)."""

    def __init__(self, snap: Snapshot, staging: Path, checkpoints: Path | None, *,
                 move: bool = False) -> None:
        self.snap, self.db = snap, connections["default"].settings_dict
        self.started = time.monotonic()
        self.data = scratch.data_dir_make(into=staging, keys_from=Path(
            settings.STRONGROOM_DATA_DIR) / "keys", checkpoints=checkpoints)
        self.name = scratch_name(self.db, staging, "verify")
        url = snapshot_load(db=self.db, snapshot=snap.path, engine=snap.engine, name=self.name,
                            move=move)
        self.child = scratch.selfcheck_start(database_url=url, data_dir=self.data)

    def finish(self) -> dict[str, Any]:
        try:
            report = scratch.selfcheck_finish(self.child)
        finally:
            self.close()
        problems = scratch.problems_of(report, self.snap.counts)
        if problems:
            raise BackupError(BackupErrorCode.VERIFY_FAILED,
                              f"the snapshot failed verification in a scratch database: "
                              f"{problems[0]}")
        return {"restored": True, "counts_match": True,
                "audit_events": report["audit_events"], "decrypted": report["decrypted"],
                "erased": report["erased"], "seconds": round(time.monotonic() - self.started, 2)}

    def close(self) -> None:
        if self.child.poll() is None:
            self.child.kill()
            self.child.communicate()
        database_drop(db=self.db, name=self.name)
        shutil.rmtree(self.data, ignore_errors=True)


def _migrations() -> dict[str, str]:
    latest: dict[str, str] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        latest[app] = max(latest.get(app, ""), name)
    return latest


def copy_check(dest: Any, backup_id: str, sealed: archive.Sealed, scratch_dir: Path) -> None:
    """Read the copy back: the signature byte for byte, the payload by SHA-256."""
    if dest.read(backup_id, archive.SIGNATURE) != sealed.signature.read_bytes():
        raise DestinationError(dest.url, "the copy read back differs (signature)")
    readback = scratch_dir / "readback"
    dest.fetch(backup_id, archive.PAYLOAD, readback)
    try:
        archive.payload_check(readback, sealed.manifest_data)
    except archive.ArchiveError:
        raise DestinationError(dest.url, "the copy read back differs (SHA-256)") from None
    finally:
        readback.unlink(missing_ok=True)


def destination_failed(url: str, backup_id: str, message: str) -> None:
    alert_raise(kind="backups.destination_failed", source="backups", severity="high",
                summary=f"backup {backup_id} did not reach {safe_url(url)}: {message}"[:300],
                detail={"destination": safe_url(url), "backup_id": backup_id},
                dedupe_key=f"backups.destination_failed:{safe_url(url)}")


def _send(row: Backup, sealed: archive.Sealed, staging: Path, progress: Progress) -> list[str]:
    errors = []
    files = {archive.PAYLOAD: sealed.payload, archive.MANIFEST: sealed.manifest,
             archive.SIGNATURE: sealed.signature}
    for url in settings.STRONGROOM_BACKUPS.destinations:
        progress(f"sending to {safe_url(url)}")
        copy = BackupCopy(backup=row, destination=safe_url(url))
        try:
            dest = destination_for(url)
            dest.clean_partial()
            dest.put(row.backup_id, files)
            copy_check(dest, row.backup_id, sealed, staging)
            copy.ok, copy.verified_at = True, timezone.now()
        except DestinationError as exc:
            copy.error = exc.message[:500]
            errors.append(exc.message)
            destination_failed(url, row.backup_id, exc.message)
            progress(f"FAILED {exc.message}")
        copy.save()
    return errors


def backup_run(*, progress: Progress) -> tuple[Backup, list[str]]:
    conf = settings.STRONGROOM_BACKUPS
    if not conf.destinations:
        raise BackupError(BackupErrorCode.NO_DESTINATIONS, "no backup destination: set "
                          "STRONGROOM_BACKUP_DESTINATIONS=file:///path[,s3://bucket/prefix]")
    data_dir = Path(settings.STRONGROOM_DATA_DIR)
    recipient = recipient_load(data_dir=data_dir)
    if recipient is None:
        raise BackupError(BackupErrorCode.NO_RECOVERY_KEY, "no recovery key: run "
                          "`strongroom backup init` first")
    key = signing_key_load(data_dir=data_dir)
    started = timezone.now()
    clock = time.monotonic()
    db = connections["default"].settings_dict
    row = Backup.objects.create(
        backup_id=started.strftime("%Y%m%dT%H%M%SZ-") + secrets.token_hex(3),
        engine=engine_of(db), started_at=started)
    staging = staging_dir(row.backup_id)
    try:
        members = _data_files(data_dir, staging)
        progress("taking a consistent snapshot of the database")
        row.snapshot_at = timezone.now()
        snap = snapshot_take(db=db, into=staging)
        progress(f"packing and verifying it in a scratch database "
                 f"({sum(snap.counts.values())} rows), encrypting meanwhile")
        checkpoints = members.get(f"files/{CHECKPOINTS.as_posix()}")
        verifying: _Verification | None = None
        try:
            if snap.engine != "sqlite":  # pg_restore reads the dump while it is packed
                verifying = _Verification(snap, staging, checkpoints)
            manifest = {
                "format": archive.FORMAT, "id": row.backup_id,
                "created_at": started.isoformat(), "snapshot_at": row.snapshot_at.isoformat(),
                "engine": snap.engine, "counts": snap.counts, "migrations": _migrations(),
                "recipient": recipient, "kek": "external" if settings.STRONGROOM_KEK
                else "in-archive", "signing_public_key": key.public_b64,
                "files": sorted(n for n in members if not n.startswith("keys/")),
            }
            inner = staging / "inner-manifest.json"
            inner.write_bytes(archive.manifest_bytes(manifest))
            members.update({f"database/{snap.path.name}": snap.path,
                            archive.INNER_MANIFEST: inner})
            tar = staging / "payload.tar.gz"
            row.plain_bytes = archive.pack(tar_path=tar, members=members)
            if verifying is None:  # SQLite: the packed file is checked, without a copy
                verifying = _Verification(snap, staging, checkpoints, move=True)
            else:
                snap.path.unlink()
            payload = staging / archive.PAYLOAD
            archive_encrypt(source=tar, dest=payload, recipient=recipient)
            tar.unlink()
            digest = archive.sha256_file(payload)  # while the scratch check runs
            progress("waiting for the scratch verification")
            verification = verifying.finish()
        finally:
            if verifying is not None:
                verifying.close()
        sealed = archive.seal(directory=staging, payload=payload,
                              manifest={**manifest, "verification": verification}, key=key,
                              sha256=digest)
        row.bytes = payload.stat().st_size
        row.counts, row.verification = snap.counts, verification
        errors = _send(row, sealed, staging, progress)
    except BackupError as exc:
        _finish(row, clock, ok=False, error=exc.message)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    delivered = len(conf.destinations) - len(errors)
    if not delivered:
        _finish(row, clock, ok=False, error="no destination took the backup")
        raise BackupError(BackupErrorCode.DESTINATION,
                          f"no destination took the backup: {errors[0]}")
    _finish(row, clock, ok=True, error="; ".join(errors))
    return row, errors


def _finish(row: Backup, clock: float, *, ok: bool, error: str) -> None:
    row.status = Backup.Status.COMPLETE if ok else Backup.Status.FAILED
    row.finished_at = timezone.now()
    row.seconds = round(time.monotonic() - clock, 2)
    row.error = error[:500]
    with transaction.atomic():
        row.save()
        audit_record(event=AuditEvent.BACKUP_COMPLETED if ok else AuditEvent.BACKUP_FAILED,
                     actor=Actor.system("backups"), object=("backups.backup", row.backup_id),
                     reason=(row.error or "")[:200])
    if not ok:
        alert_raise(kind="backups.backup_failed", source="backups", severity="high",
                    summary=f"backup {row.backup_id} failed: {error}"[:300],
                    detail={"backup_id": row.backup_id}, dedupe_key="backups.backup_failed")

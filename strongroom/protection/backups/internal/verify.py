"""``backup list`` and ``backup verify``: what each destination holds, and whether a copy is
intact. Without the recovery key (the running store's case) a copy is checked by its
signed manifest and the payload's SHA-256; with it, the backup is also decrypted,
restored into a scratch database and checked against the manifest's row counts."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone

from strongroom.protection.audit.events import Actor, AuditEvent
from strongroom.protection.audit.services import audit_record
from strongroom.protection.backups.errors import BackupError, DestinationError
from strongroom.protection.backups.internal import archive, restore, scratch
from strongroom.protection.backups.internal.destinations import destination_for
from strongroom.protection.backups.internal.run import CHECKPOINTS, safe_url, staging_dir
from strongroom.protection.backups.internal.snapshot import (
    database_drop,
    scratch_name,
    snapshot_load,
)
from strongroom.protection.backups.models import Backup, BackupCopy
from strongroom.protection.vault.recovery import RecoveryIdentity


@dataclass
class Catalog:
    ids: dict[str, list[str]] = field(default_factory=dict)  # backup id -> destinations
    errors: dict[str, str] = field(default_factory=dict)  # destination -> error


def backup_catalog() -> Catalog:
    catalog = Catalog()
    for url in settings.STRONGROOM_BACKUPS.destinations:
        try:
            for backup_id in destination_for(url).ids():
                catalog.ids.setdefault(backup_id, []).append(safe_url(url))
        except DestinationError as exc:
            catalog.errors[safe_url(url)] = exc.message
    return catalog


def backup_verify(*, backup_id: str, source: str | None,
                  identity: RecoveryIdentity | None) -> dict[str, str]:
    """Check every copy (or the one at ``source``); returns destination -> "ok" or the
    problem. Records each result on the store's copy rows and in the audit log."""
    keys = restore.trusted_keys(identity)
    results: dict[str, str] = {}
    staging = staging_dir(f"verify-{backup_id}-{os.getpid()}")
    try:
        for dest in restore.sources(backup_id, source):
            try:
                manifest = restore.manifest_read(dest, backup_id, keys)
                payload = staging / archive.PAYLOAD
                dest.fetch(backup_id, archive.PAYLOAD, payload)
                try:
                    archive.payload_check(payload, manifest)
                finally:
                    payload.unlink(missing_ok=True)
                results[dest.url] = "ok"
            except (BackupError, archive.ArchiveError) as exc:
                results[dest.url] = str(exc)
        if identity is not None and "ok" in results.values():
            good = next(url for url, r in results.items() if r == "ok")
            results["restore test"] = _restore_test(backup_id, good, identity, staging)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    _record(backup_id, results)
    return results


def _restore_test(backup_id: str, source: str, identity: RecoveryIdentity,
                  staging: Path) -> str:
    db = connections["default"].settings_dict
    inner = staging / "open"
    inner.mkdir(mode=0o700)
    try:
        opened = restore.backup_open(backup_id=backup_id, source=source, identity=identity,
                                     staging=inner, progress=lambda _m: None)
        data = scratch.data_dir_make(into=inner, keys_from=opened.root / "keys",
                                     checkpoints=opened.root / "files" / CHECKPOINTS)
        if not any((data / "keys").glob("kek-*")):  # an external KEK: the store's own
            data = scratch.data_dir_make(into=inner, keys_from=Path(
                settings.STRONGROOM_DATA_DIR) / "keys", checkpoints=None)
        name = scratch_name(db, inner, "verify")
        url = snapshot_load(db=db, snapshot=restore.database_file(opened),
                            engine=opened.manifest["engine"], name=name)
        try:
            report = scratch.selfcheck(database_url=url, data_dir=data)
        finally:
            database_drop(db=db, name=name)
        problems = scratch.problems_of(report, opened.manifest["counts"])
        return problems[0] if problems else "ok"
    except BackupError as exc:
        return str(exc)


def _record(backup_id: str, results: dict[str, str]) -> None:
    now = timezone.now()
    with transaction.atomic():
        row = Backup.objects.filter(backup_id=backup_id).first()
        for url, result in results.items():
            if row is not None and url != "restore test":
                BackupCopy.objects.update_or_create(
                    backup=row, destination=url,
                    defaults={"ok": result == "ok", "verified_at": now,
                              "error": "" if result == "ok" else result[:500]})
        bad = sorted(url for url, r in results.items() if r != "ok")
        audit_record(event=AuditEvent.BACKUP_VERIFIED, actor=Actor.system("backups"),
                     object=("backups.backup", backup_id),
                     reason="all copies intact" if not bad else f"problems at {', '.join(bad)}"
                     [:200])

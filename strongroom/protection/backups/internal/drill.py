"""``strongroom backup drill``: a real restore of the newest backup into a scratch store,
started as the store is started (``strongroom serve``, HTTPS), measured.

* RPO - how much would be lost: the drill's start minus the newest backup's snapshot
  time (the age of the newest restorable data).
* RTO - how long recovery takes: from the drill's start (fetch, check, decrypt, load,
  migrate, check the counts, the audit log and decryption) until the scratch store,
  started with ``strongroom serve``, answers its home page over HTTPS.

A drill needs the recovery key. The running store does not hold it (it must not be
able to read its backups), so a drill runs where the key is: an owner's laptop, or a
separate drill host with ``STRONGROOM_BACKUP_DRILL_IDENTITY`` (then the scheduled job runs
it monthly). Scratch databases, data directories and the server are always removed.
"""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import sys
import time
import urllib.request
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import connections, transaction
from django.utils import timezone

from strongroom.protection.alerts.services import alert_raise
from strongroom.protection.audit.events import Actor, AuditEvent
from strongroom.protection.audit.services import audit_record
from strongroom.protection.backups.errors import BackupError, BackupErrorCode
from strongroom.protection.backups.internal import restore, scratch
from strongroom.protection.backups.internal.destinations import destination_for
from strongroom.protection.backups.internal.run import CHECKPOINTS, Progress, staging_dir
from strongroom.protection.backups.internal.snapshot import (
    database_drop,
    scratch_name,
    snapshot_load,
)
from strongroom.protection.backups.models import Drill
from strongroom.protection.vault.recovery import RecoveryKeyError, identity_read

ANSWER_TIMEOUT = 120.0


def _newest(source: str | None) -> tuple[str, str]:
    urls = [source] if source else list(settings.STRONGROOM_BACKUPS.destinations)
    best: tuple[str, str] | None = None
    for url in urls:
        try:
            ids = destination_for(url).ids()
        except BackupError:
            continue
        if ids and (best is None or ids[-1] > best[0]):
            best = (ids[-1], url)
    if best is None:
        raise BackupError(BackupErrorCode.NOT_FOUND, "no complete backup at any destination "
                          "to drill with: run `strongroom backup run` first")
    return best


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _serve_and_wait(url: str, data: Path, clock: float) -> float:
    """Start the scratch store; return the seconds from ``clock`` to its first 200."""
    env = scratch.store_env(database_url=url, data_dir=data)
    static = Path(settings.STATIC_ROOT)
    if static.is_dir():
        (data / "static").symlink_to(static)
    else:
        scratch.command_run(["collectstatic", "--noinput", "-v0"], env=env)
    port = _free_port()
    server = subprocess.Popen(  # noqa: S603 - this interpreter, fixed arguments
        [sys.executable, "-m", "strongroom", "serve", "--host", "127.0.0.1", "--port",
         str(port), "--no-http", "--workers", "1"], env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + ANSWER_TIMEOUT
        while time.monotonic() < deadline:
            if server.poll() is not None:
                tail = (server.stderr.read().decode(errors="replace").strip().splitlines()
                        or ["?"])[-1] if server.stderr else "?"
                raise BackupError(BackupErrorCode.VERIFY_FAILED,
                                  f"the restored store did not start: {tail[:300]}")
            ca = data / "tls" / "ca.pem"
            if ca.exists():
                try:
                    context = ssl.create_default_context(cafile=str(ca))
                    with urllib.request.urlopen(  # noqa: S310 - https to the local scratch
                            f"https://localhost:{port}/", timeout=5, context=context) as page:
                        if page.status == 200:
                            return time.monotonic() - clock
                except (OSError, ssl.SSLError):
                    pass
            time.sleep(0.3)
        raise BackupError(BackupErrorCode.VERIFY_FAILED, "the restored store did not answer "
                          f"within {ANSWER_TIMEOUT:.0f} s")
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


def backup_drill(*, identity_path: Path | None, source: str | None,
                 progress: Progress) -> Drill:
    path = identity_path or (Path(settings.STRONGROOM_BACKUPS.drill_identity)
                             if settings.STRONGROOM_BACKUPS.drill_identity else None)
    if path is None:
        raise BackupError(BackupErrorCode.NO_RECOVERY_KEY, "a drill needs the recovery key: "
                          "--recovery-key FILE (or STRONGROOM_BACKUP_DRILL_IDENTITY on a "
                          "drill host)")
    try:
        identity = identity_read(path=path)
    except RecoveryKeyError as exc:
        raise BackupError(BackupErrorCode.WRONG_KEY, str(exc)) from None
    drill = Drill.objects.create(started_at=timezone.now())
    clock = time.monotonic()
    db = connections["default"].settings_dict
    staging = staging_dir(f"drill-{drill.pk}")
    name = ""
    try:
        backup_id, url = _newest(source)
        drill.backup_id, drill.source = backup_id, url
        opened = restore.backup_open(backup_id=backup_id, source=url, identity=identity,
                                     staging=staging, progress=progress)
        drill.rpo_seconds = round((drill.started_at - datetime.fromisoformat(
            opened.manifest["snapshot_at"])).total_seconds(), 1)
        keys = opened.root / "keys" if any((opened.root / "keys").glob("kek-*")) else Path(
            settings.STRONGROOM_DATA_DIR) / "keys"  # an external KEK: the store's own
        data = scratch.data_dir_make(into=staging, keys_from=keys,
                                     checkpoints=opened.root / "files" / CHECKPOINTS)
        name = scratch_name(db, staging, "drill")
        progress("loading it into a scratch database")
        db_url = snapshot_load(db=db, snapshot=restore.database_file(opened),
                               engine=opened.manifest["engine"], name=name)
        done = scratch.command_run(["migrate", "--noinput", "-v0"],
                                   env=scratch.store_env(database_url=db_url, data_dir=data))
        if done.returncode:
            raise BackupError(BackupErrorCode.VERIFY_FAILED, "migrating the scratch database "
                              "failed")
        report = scratch.selfcheck(database_url=db_url, data_dir=data)  # as a restore does
        problems = scratch.problems_of(report, opened.manifest["counts"])
        if not report.get("decrypted"):
            problems.append("no customer's data decrypted in the restored store")
        if problems:
            raise BackupError(BackupErrorCode.VERIFY_FAILED, problems[0])
        progress("starting the restored store")
        drill.rto_seconds = round(_serve_and_wait(db_url, data, clock), 2)
        drill.ok = True
        drill.detail = {"decrypted": report["decrypted"], "rows": sum(
            opened.manifest["counts"].values()), "audit_events": report["audit_events"]}
    except BackupError as exc:
        drill.error = exc.message[:500]
    finally:
        if name:
            database_drop(db=db, name=name)
        shutil.rmtree(staging, ignore_errors=True)
    drill.finished_at = timezone.now()
    with transaction.atomic():
        drill.save()
        audit_record(event=AuditEvent.BACKUP_DRILL_COMPLETED if drill.ok
                     else AuditEvent.BACKUP_DRILL_FAILED, actor=Actor.system("backups"),
                     object=("backups.drill", drill.pk),
                     reason=(f"RPO {drill.rpo_seconds} s, RTO {drill.rto_seconds} s"
                             if drill.ok else drill.error)[:200])
    if not drill.ok:
        alert_raise(kind="backups.drill_failed", source="backups", severity="high",
                    summary=f"restore drill failed: {drill.error}"[:300],
                    detail={"drill": drill.pk, "backup_id": drill.backup_id},
                    dedupe_key="backups.drill_failed")
    return drill

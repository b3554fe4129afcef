"""``strongroom backup restore``: the whole sequence (see ``restore.py`` for the checks).

Switching: SQLite renames the restored file over the live one (the old file is kept as
``<name>.before-restore-<time>``); PostgreSQL renames databases (the old one is kept as
``<name>_before_<time>``). Nothing is deleted: a wrong restore can itself be undone.
The audit checkpoint file keeps the whole history: the restored database is finished
against the live file (or, where the data directory was lost, the backup's copy), and
its gap checkpoint is appended to that. The restored log states the gap in a chained
AUDIT_GAP_DECLARED event and a checkpoint signed by the audit signing key that names
it, numbered above every checkpoint of the lost history, so ``audit verify`` reports
"gap declared ... by restore of backup <id>" where a truncation without it is
tampering. The file as it was is also kept as ``checkpoints.before-restore-<time>.jsonl``.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connections

from strongroom.protection.audit.events import Actor
from strongroom.protection.audit.selectors import audit_checkpoint_number_last
from strongroom.protection.backups import selectors, services
from strongroom.protection.backups.errors import BackupError, BackupErrorCode
from strongroom.protection.backups.internal import restore, scratch
from strongroom.protection.backups.internal.ledger import (
    LEDGER_PATH,
    ledger_merge,
    ledger_read,
    ledger_write,
)
from strongroom.protection.backups.internal.run import CHECKPOINTS, Progress, staging_dir
from strongroom.protection.backups.internal.snapshot import (
    database_drop,
    database_switch,
    engine_of,
    snapshot_load,
)
from strongroom.protection.vault.recovery import RecoveryKeyError, identity_read


@dataclass
class RestoreResult:
    backup_id: str
    source: str
    database: str
    switched: bool
    replayed: int = 0
    keys_installed: list[str] = field(default_factory=list)
    seconds: float = 0.0
    snapshot_at: str = ""
    report: dict = field(default_factory=dict)


def _new_name(db: dict, backup_id: str) -> str:
    tag = backup_id.split("-")[-1]
    if engine_of(db) == "sqlite":
        live = Path(db["NAME"])
        return str(live.with_name(f"{live.stem}.restoring-{backup_id}{live.suffix}"))
    return f"{str(db['NAME'])[:40]}_restoring_{tag}"


def backup_restore(*, backup_id: str, source: str | None, identity_path: Path,
                   into: str | None = None, keep_maintenance: bool = False,
                   progress: Progress) -> RestoreResult:

    started = time.monotonic()
    data_dir = Path(settings.STRONGROOM_DATA_DIR)
    try:
        identity = identity_read(path=identity_path)
    except RecoveryKeyError as exc:
        raise BackupError(BackupErrorCode.WRONG_KEY, str(exc)) from None
    db = connections["default"].settings_dict
    staging = staging_dir(f"restore-{backup_id}-{os.getpid()}")
    try:
        opened = restore.backup_open(backup_id=backup_id, source=source, identity=identity,
                                     staging=staging, progress=progress)
        snapshot = restore.database_file(opened)
        conflicts = restore.key_conflicts(opened, data_dir)
        if conflicts:
            raise BackupError(BackupErrorCode.KEY_CONFLICT, f"{data_dir / 'keys'} holds a "
                              f"different {conflicts[0]} than the backup: restore into a "
                              "data directory without keys (or the one the backup came from)")
        live_ledger = data_dir / LEDGER_PATH
        merged = ledger_merge(ledger_read(live_ledger),
                              ledger_read(opened.root / "files" / LEDGER_PATH))
        ledger_file = staging / "ledger.jsonl"
        ledger_write(ledger_file, merged)
        was_on, paused = False, False
        if into is None:
            try:
                selectors.maintenance_cache_clear()
                was_on = selectors.maintenance_state().enabled
                services.maintenance_on(message="The shop is being restored from a backup.",
                                        by=Actor.system("restore"))
                paused = not was_on
            except DatabaseError:
                pass  # the live database is gone: nothing to pause
        try:  # the lost history's newest checkpoint, where the live database still answers
            above = audit_checkpoint_number_last()
        except DatabaseError:
            above = 0
        switched: list[bool] = []
        try:
            return _restore_into(opened=opened, snapshot=snapshot, ledger_file=ledger_file,
                                 live_ledger=live_ledger, into=into, db=db, data_dir=data_dir,
                                 staging=staging, backup_id=backup_id, started=started,
                                 above=above,
                                 reopen=not keep_maintenance and not was_on,
                                 switched=switched, progress=progress)
        except BaseException:
            if paused and not switched:  # the live store reopens as it was
                try:
                    services.maintenance_off(by=Actor.system("restore"))
                except DatabaseError:
                    pass
            raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _restore_into(*, opened: restore.Opened, snapshot: Path, ledger_file: Path,
                  live_ledger: Path, into: str | None, db: dict, data_dir: Path,
                  staging: Path, backup_id: str, started: float, above: int, reopen: bool,
                  switched: list[bool], progress: Progress) -> RestoreResult:
    installed = restore.keys_install(opened, data_dir)
    name = into or _new_name(db, backup_id)
    progress("loading the snapshot into a new database")
    url = snapshot_load(db=db, snapshot=snapshot, engine=opened.manifest["engine"],
                        name=name)
    live_checkpoints = data_dir / CHECKPOINTS
    rdata = scratch.data_dir_make(
        into=staging, keys_from=data_dir / "keys",
        checkpoints=live_checkpoints if live_checkpoints.exists()
        else opened.root / "files" / CHECKPOINTS)
    try:
        progress("migrating, replaying the erasure ledger, checking")
        env = scratch.store_env(database_url=url, data_dir=rdata)
        done = scratch.command_run(
            ["backup_restore_finish", "--backup-id", backup_id, "--source", opened.source,
             "--snapshot-at", opened.manifest["snapshot_at"], "--ledger", str(ledger_file),
             "--checkpoints-above", str(above)],
            env=env)
        if done.returncode:
            raise BackupError(BackupErrorCode.RESTORE, "finishing the restored database "
                              "failed: " + (done.stderr.strip().splitlines() or ["?"])[-1])
        report = json.loads(done.stdout.strip().splitlines()[-1])
        problems = scratch.problems_of({**report, "counts": report["loaded_counts"]},
                                       opened.manifest["counts"])
        if problems:
            raise BackupError(BackupErrorCode.RESTORE, f"the restored database failed "
                              f"its check: {problems[0]}")
    except BaseException:
        database_drop(db=db, name=name)
        raise
    result = RestoreResult(backup_id, opened.source, name, switched=False,
                           replayed=report["replayed"], keys_installed=installed,
                           snapshot_at=opened.manifest["snapshot_at"], report=report)
    if into is not None:
        result.seconds = round(time.monotonic() - started, 2)
        return result
    progress("switching the store to the restored database")
    connections.close_all()
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    keep_as = (f"{db['NAME']}.before-restore-{stamp}" if engine_of(db) == "sqlite"
               else f"{str(db['NAME'])[:40]}_before_{stamp.lower()}")
    database_switch(db=db, new=name, keep_as=keep_as)
    switched.append(True)
    _files_switch(data_dir, rdata, opened, stamp, live_ledger)
    connections.close_all()
    selectors.maintenance_cache_clear()
    result.switched = True
    if reopen:
        services.maintenance_off(by=Actor.system("restore"))
    result.seconds = round(time.monotonic() - started, 2)
    return result


def _files_switch(data_dir: Path, rdata: Path, opened: restore.Opened, stamp: str,
                  live_ledger: Path) -> None:
    live = data_dir / CHECKPOINTS
    live.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if live.exists():
        os.replace(live, live.with_name(f"checkpoints.before-restore-{stamp}.jsonl"))
    if (rdata / CHECKPOINTS).exists():
        shutil.copyfile(rdata / CHECKPOINTS, live)
    backup_ledger = opened.root / "files" / LEDGER_PATH
    if not live_ledger.exists() and backup_ledger.exists():
        live_ledger.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        shutil.copyfile(backup_ledger, live_ledger)
        live_ledger.chmod(0o600)
    restore.media_install(opened)

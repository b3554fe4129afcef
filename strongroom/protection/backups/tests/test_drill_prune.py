"""Drills measure RPO and RTO from a real restore (a scratch store started with
``strongroom serve`` answering over HTTPS); pruning keeps the GFS set at each folder."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from django.core.management import CommandError, call_command

from strongroom.protection.audit.events import AuditEvent
from strongroom.protection.audit.models import AuditEntry
from strongroom.protection.backups.internal.destinations import FileDestination
from strongroom.protection.backups.internal.gfs import Policy
from strongroom.protection.backups.models import Drill
from strongroom.protection.backups.services import backup_drill, backup_run, backups_prune

pytestmark = pytest.mark.django_db(transaction=True)


def test_drill_restores_starts_and_measures(store, folders, recovery_key):
    row, _ = backup_run(progress=lambda _m: None)
    drill = backup_drill(identity_path=recovery_key, source=None, progress=lambda _m: None)
    assert drill.ok, drill.error
    assert drill.backup_id == row.backup_id
    assert 0 < drill.rpo_seconds < 3600  # the backup was taken moments ago
    elapsed = (drill.finished_at - drill.started_at).total_seconds()
    assert 0 < drill.rto_seconds <= elapsed  # measured inside the drill, not made up
    assert drill.detail["decrypted"] > 0  # a known customer's data decrypts there
    assert AuditEntry.objects.filter(event=AuditEvent.BACKUP_DRILL_COMPLETED).count() == 1


def test_drill_without_the_recovery_key_or_a_backup(folders, recovery_key):
    with pytest.raises(CommandError, match="needs the recovery key") as caught:
        call_command("backup", "drill")
    assert caught.value.returncode == 2
    with pytest.raises(SystemExit):
        call_command("backup", "drill", "--recovery-key", str(recovery_key))
    failed = Drill.objects.get()
    assert not failed.ok and "no complete backup" in failed.error


def test_prune_keeps_the_gfs_set_at_each_folder(store, folders, recovery_key):
    row, _ = backup_run(progress=lambda _m: None)
    now = dt.datetime.now(dt.UTC)
    old = []
    for hours in (1, 2, 3, 30, 60):  # older copies of the same archive under older ids
        backup_id = (now - dt.timedelta(hours=hours)).strftime("%Y%m%dT%H%M%SZ") + "-0000aa"
        old.append(backup_id)
        for folder in folders:
            shutil.copytree(folder / row.backup_id, folder / backup_id)
    (folders[0] / ".partial-20200101T000000Z-abcdef-999999999").mkdir()  # a killed run's
    summary = backups_prune(policy=Policy(quarter_hours=2, daily=2, weekly=1, monthly=1))
    for folder in folders:
        ids = FileDestination(f"file://{folder}").ids()
        assert row.backup_id in ids and old[0] in ids  # the two newest quarter-hours
        assert old[2] not in ids and len(ids) == summary[f"file://{folder}"][0]
    assert not list(folders[0].glob(".partial-*"))
    assert AuditEntry.objects.filter(event=AuditEvent.BACKUPS_PRUNED).count() == 1

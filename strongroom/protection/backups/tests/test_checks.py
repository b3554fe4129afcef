"""``check --deploy`` for disaster recovery: each warning fires when it should, and a
store with backups off its disk, a recovery key, a fresh backup and a recent passed
drill has nothing to say."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from strongroom.config import BackupConfig
from strongroom.protection.backups.checks import check_backups
from strongroom.protection.backups.models import Backup, Drill
from strongroom.protection.backups.services import recovery_key_init
from strongroom.protection.vault.recovery import recipient_path

pytestmark = pytest.mark.django_db


def _ids() -> list[str]:
    return sorted(w.id for w in check_backups())


def test_a_fresh_store_is_warned_about_everything(settings, tmp_path):
    recipient_path(settings.STRONGROOM_DATA_DIR).unlink(missing_ok=True)
    settings.STRONGROOM_BACKUPS = BackupConfig()
    assert _ids() == ["backups.W001", "backups.W002", "backups.W003", "backups.W004"]
    settings.STRONGROOM_BACKUPS = BackupConfig(destinations=(f"file://{tmp_path}/b",))
    assert "backups.W005" in _ids()  # the only folder is on the database's disk


def test_a_well_kept_store_has_nothing_to_say(settings):
    recovery_key_init(replace=True)
    settings.STRONGROOM_BACKUPS = BackupConfig(destinations=("s3://bucket/p",),
                                               s3_access_key="a", s3_secret_key="b")
    now = timezone.now()
    Backup.objects.create(backup_id="x", engine="sqlite", started_at=now,
                          status=Backup.Status.COMPLETE)
    Drill.objects.create(started_at=now - dt.timedelta(days=30), ok=True)
    assert _ids() == []
    Backup.objects.update(started_at=now - dt.timedelta(days=2))
    Drill.objects.update(started_at=now - dt.timedelta(days=36))
    assert _ids() == ["backups.W003", "backups.W004"]

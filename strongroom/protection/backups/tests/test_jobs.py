"""The scheduled jobs, called directly (the worker calls the same functions)."""

from __future__ import annotations

import pytest

from strongroom.config import BackupConfig
from strongroom.jobs.registry import jobs_all
from strongroom.protection.backups import jobs
from strongroom.protection.backups.models import Backup

pytestmark = pytest.mark.django_db(transaction=True)


def test_registered_with_their_schedules():
    registered = jobs_all()
    assert registered["backup-run"].schedule == "*/15 * * * *"
    assert registered["backup-drill"].schedule == "0 3 1 * *"
    assert registered["backup-prune"].schedule == "30 4 * * *"


def test_jobs_run_skip_and_prune(store, folders, recovery_key, settings):
    summary = jobs.backup_run_job()
    assert summary.startswith("backup ") and Backup.objects.get().status == "complete"
    assert jobs.backup_drill_job().startswith("skipped: the recovery key is not on this host")
    assert jobs.backup_prune_job() == {"kept": 2, "deleted": 0, "destinations_failed": 0}
    settings.STRONGROOM_BACKUPS = BackupConfig()
    assert jobs.backup_run_job().startswith("skipped: no destination")

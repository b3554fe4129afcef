"""The privacy app's jobs are registered under the contract's names and run directly."""

from __future__ import annotations

import pytest

from strongroom.jobs.registry import JobError, jobs_all, tasks_all
from strongroom.protection.privacy import jobs

pytestmark = pytest.mark.django_db


def test_jobs_are_registered_and_return_summaries() -> None:
    names = set(jobs_all())
    assert {"privacy-retention", "privacy-requests-overdue", "privacy-erasures-due",
            "privacy-ledger-sync"} <= names
    assert "privacy-export-build" in tasks_all()
    assert jobs.retention_job()["carts"] == 0
    assert jobs.requests_overdue_job() == {"overdue": 0}
    assert jobs.erasures_due_job() == {"erased": 0}
    assert jobs.ledger_sync_job() == {"appended": 0}
    assert jobs.export_build_task(export_id="00000000-0000-0000-0000-000000000000") == "missing"


def test_export_task_takes_ids_only() -> None:
    with pytest.raises(JobError):
        jobs.export_build_task.defer(export_id="someone@example.test")

"""Asking for a job to run now (console "Run now", ``strongroom jobs run``): audited."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from strongroom.jobs.errors import UnknownJob
from strongroom.jobs.queue import job_enqueue
from strongroom.jobs.registry import jobs_all
from strongroom.protection.audit.events import AuditEvent
from strongroom.protection.audit.services import audit_record


def job_run_request(*, name: str, by: Any, request: Any = None) -> None:
    """Queue job ``name`` for a worker (it is skipped if the job is running already).
    ``by`` is a staff account or an ``Actor`` (a command). The caller checked ``by`` may
    run jobs. Raises UnknownJob."""
    if name not in jobs_all():
        raise UnknownJob(name)
    with transaction.atomic():
        audit_record(event=AuditEvent.JOB_RUN_REQUESTED, actor=by, request=request,
                     object=("jobs.job", name), reason=f"run now: {name}")
        transaction.on_commit(lambda: job_enqueue(name=name, trigger="manual"))

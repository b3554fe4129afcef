"""Asking for a job to run now (console "Run now", ``strongroom jobs run``): audited."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from strongroom.jobs.errors import UnknownJob
from strongroom.jobs.queue import job_enqueue
from strongroom.jobs.registry import jobs_all
from strongroom.jobs.signals import run_requested


def job_run_request(*, name: str, by: Any, request: Any = None) -> None:
    """Queue job ``name`` for a worker (it is skipped if the job is running already).
    ``by`` is a staff account or an ``Actor`` (a command). The caller checked ``by`` may
    run jobs. Raises UnknownJob.

    The audit log records the request (JOB_RUN_REQUESTED) in this transaction through
    the ``run_requested`` signal: the queue sits below the audit app and never imports
    it. A run nobody recorded is not queued."""
    if name not in jobs_all():
        raise UnknownJob(name)
    with transaction.atomic():
        if not run_requested.send(sender=job_run_request, name=name, by=by, request=request):
            raise RuntimeError("no receiver records a job run request in the audit log: "
                               "is strongroom.protection.audit installed?")
        transaction.on_commit(lambda: job_enqueue(name=name, trigger="manual"))

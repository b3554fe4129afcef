"""Reads for the Jobs page and ``strongroom jobs list``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from strongroom.jobs.internal.runner import FAILING_AFTER
from strongroom.jobs.models import JobLock, JobRun, RunStatus, WorkerBeat
from strongroom.jobs.queue import crontab_check
from strongroom.jobs.registry import jobs_all, schedule_of

WORKER_SILENT_AFTER = dt.timedelta(minutes=10)
_SEARCH_MINUTES = 60 * 24 * 32  # a monthly job's next run is found; rarer ones say "—"


@dataclass(frozen=True)
class JobStatus:
    name: str
    description: str
    schedule: str | None  # None: turned off
    setting: str
    last_run: JobRun | None
    last_error: JobRun | None  # the last failed run
    next_run: dt.datetime | None
    running: bool
    failing: bool  # the last runs failed (an alert was raised)


def next_run_at(expression: str, *, now: dt.datetime) -> dt.datetime | None:
    check = crontab_check(expression)
    minute = now.replace(second=0, microsecond=0) + dt.timedelta(minutes=1)
    naive = minute.astimezone(dt.UTC).replace(tzinfo=None)
    for step in range(_SEARCH_MINUTES):
        at = naive + dt.timedelta(minutes=step)
        if check(at):
            return at.replace(tzinfo=dt.UTC)
    return None


def jobs_overview(*, now: dt.datetime | None = None) -> list[JobStatus]:
    now = now or timezone.now()
    running = set(JobLock.objects.exclude(holder="").filter(expires_at__gt=now)
                  .values_list("job", flat=True))
    rows = []
    for job in jobs_all().values():
        expression = schedule_of(job)
        runs = JobRun.objects.filter(job=job.name)
        recent = list(runs.exclude(status=RunStatus.RUNNING)[:FAILING_AFTER])
        rows.append(JobStatus(
            name=job.name, description=job.description, schedule=expression,
            setting=job.setting, last_run=runs.first(),
            last_error=runs.filter(status=RunStatus.FAILED).first(),
            next_run=next_run_at(expression, now=now) if expression else None,
            running=job.name in running,
            failing=len(recent) == FAILING_AFTER
            and all(r.status == RunStatus.FAILED for r in recent)))
    return rows


def job_runs_recent(*, limit: int = 50) -> list[JobRun]:
    return list(JobRun.objects.all()[:limit])


def worker_last_beat() -> dt.datetime | None:
    beat = WorkerBeat.objects.order_by("-beat_at").first()
    return beat.beat_at if beat else None


def worker_silent(*, now: dt.datetime | None = None) -> bool:
    """No worker heartbeat in the last 10 minutes (or never)."""
    last = worker_last_beat()
    return last is None or (now or timezone.now()) - last > WORKER_SILENT_AFTER

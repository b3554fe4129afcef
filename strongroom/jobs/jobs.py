"""The queue's own housekeeping."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from strongroom.jobs.models import JobRun, PendingTask, TaskStatus, WorkerBeat
from strongroom.jobs.registry import scheduled

KEEP_RUNS = dt.timedelta(days=90)
KEEP_TASKS = dt.timedelta(days=7)


@scheduled("jobs-prune", schedule="15 4 * * *",
           description="Forget job runs after 90 days, finished tasks after 7 days and "
                       "workers silent for a day")
def jobs_prune() -> dict[str, int]:
    now = timezone.now()
    runs, _ = JobRun.objects.filter(started_at__lt=now - KEEP_RUNS).exclude(
        status="running").delete()
    tasks, _ = PendingTask.objects.filter(status__in=[TaskStatus.DONE, TaskStatus.FAILED],
                                          finished_at__lt=now - KEEP_TASKS).delete()
    workers, _ = WorkerBeat.objects.filter(beat_at__lt=now - dt.timedelta(days=1)).delete()
    return {"runs": runs, "tasks": tasks, "workers": workers}

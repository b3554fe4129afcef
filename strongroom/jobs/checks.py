"""Task queue system checks. Stable IDs:
  jobs.E001  a STRONGROOM_SCHEDULE_* override names no declared job (a typo leaves the
             job on its default schedule)
  jobs.W001  (deploy) no worker heartbeat in the last 10 minutes: scheduled jobs and
             queued emails are not running
  jobs.W002  (deploy) STRONGROOM_JOBS_IMMEDIATE is on: requests run the tasks themselves
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks
from django.db import DatabaseError

from strongroom.jobs.registry import jobs_all
from strongroom.jobs.selectors import worker_last_beat, worker_silent


@checks.register()
def check_schedule_overrides(app_configs: Any = None, **kwargs: Any) -> list:
    known = {job.setting for job in jobs_all().values()}
    return [checks.Error(f"{name} names no job", hint="`strongroom jobs list` shows the "
                         "jobs; the setting is STRONGROOM_SCHEDULE_ and the job's name in "
                         "capitals with dashes as underscores", id="jobs.E001")
            for name in sorted(settings.STRONGROOM_JOBS.schedules) if name not in known]


@checks.register(checks.Tags.security, deploy=True)
def check_worker_alive(app_configs: Any = None, **kwargs: Any) -> list:
    found = []
    if settings.STRONGROOM_JOBS.immediate:
        found.append(checks.Warning(
            "STRONGROOM_JOBS_IMMEDIATE is on: each request runs the tasks it queues "
            "(emails are sent inside the request)", hint="unset it and run `strongroom "
            "worker`", id="jobs.W002"))
    try:
        silent, last = worker_silent(), worker_last_beat()
    except DatabaseError:
        return found  # no schema yet: `migrate` and the database checks say so
    if silent:
        when = f"last seen {last:%Y-%m-%d %H:%M} UTC" if last else "never seen"
        found.append(checks.Warning(
            f"no task queue worker has run in the last 10 minutes ({when}): scheduled "
            "jobs and queued emails are waiting", hint="start `strongroom worker` "
            "(make run starts one)", id="jobs.W001"))
    return found

"""The queue: one huey instance, built from the settings on first use.

Storage: a SQLite file in the data directory (``<data dir>/jobs/queue.sqlite3``, dir 0700,
file 0600) by default, so the embedded store needs no extra server; Redis when
``STRONGROOM_REDIS_URL`` is set, so workers on several machines share one queue.

What goes into the queue's storage is a huey message naming one of three fixed tasks and
its arguments: a ``PendingTask`` id, or a job name (and for scheduled runs the schedule
minute). Never personal data: the storage is not encrypted (see the canary test).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.db import close_old_connections, transaction
from django.dispatch import receiver
from django.utils import timezone
from huey import Huey, RedisHuey, SqliteHuey, crontab
from huey.api import PeriodicTask, TaskWrapper

from strongroom.config.secretwatch import secret_keys_refresh
from strongroom.jobs.internal import runner
from strongroom.jobs.models import PendingTask
from strongroom.jobs.registry import jobs_all, schedule_of, tasks_all

logger = logging.getLogger("strongroom.jobs")
_lock = threading.Lock()
_huey: Huey | None = None
_wrappers: dict[str, TaskWrapper] = {}
BACKOFF = 2.0  # each retry waits twice as long as the one before


def queue_path(data_dir: Path | None = None) -> Path:
    return Path(data_dir or settings.STRONGROOM_DATA_DIR) / "jobs" / "queue.sqlite3"


def _sqlite_file() -> str:
    """The queue file, created 0600 inside a 0700 folder before huey opens it."""
    path = queue_path()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    return str(path)


def _build() -> Huey:
    immediate = settings.STRONGROOM_JOBS.immediate
    if settings.STRONGROOM_REDIS_URL and not immediate:
        # Function-level: redis is needed only with STRONGROOM_REDIS_URL (optional).
        from redis import ConnectionPool

        pool = ConnectionPool.from_url(settings.STRONGROOM_REDIS_URL,
                                       socket_connect_timeout=2, socket_timeout=5,
                                       health_check_interval=10)
        huey: Huey = RedisHuey("strongroom", connection_pool=pool, results=False,
                               immediate=False)
    elif immediate:
        huey = Huey("strongroom", results=False, immediate=True)
    else:
        huey = SqliteHuey("strongroom", filename=_sqlite_file(), results=False,
                          timeout=20)
    _register(huey)
    return huey


def queue_huey() -> Huey:
    global _huey
    with _lock:
        if _huey is None:
            _huey = _build()
        return _huey


def queue_reset() -> None:
    """Forget the instance (tests that change the settings; a forked process)."""
    global _huey
    with _lock:
        _huey = None
        _wrappers.clear()


@receiver(setting_changed)
def _setting_changed(*, setting: str, **_: Any) -> None:
    if setting in {"STRONGROOM_JOBS", "STRONGROOM_REDIS_URL", "STRONGROOM_DATA_DIR"}:
        queue_reset()  # built again from the new settings on next use


# --- the three huey tasks -----------------------------------------------------------------

class _SlotTask(PeriodicTask):
    """A periodic task that carries the schedule minute it was enqueued for, so every
    worker's scheduler that enqueues the same tick names the same slot (JobRun is unique
    per job and slot: the tick runs once)."""

    def __init__(self, args: Any = None, kwargs: Any = None, *rest: Any, **options: Any):
        if kwargs is None:
            slot = timezone.now().replace(second=0, microsecond=0)
            kwargs = {"slot": slot.isoformat()}
        super().__init__(args, kwargs, *rest, **options)


def _crontab(expression: str) -> Any:
    minute, hour, day, month, weekday = expression.split()
    return crontab(minute=minute, hour=hour, day=day, month=month, day_of_week=weekday)


def _register(huey: Huey) -> None:
    def close_connections(*_: Any) -> None:
        close_old_connections()  # worker threads: no stale or leaked database connection

    if not huey.immediate:  # immediate: the caller's own connection and transaction
        huey.pre_execute("db")(lambda task: close_connections())
        # A secret key rotated by another process: sign this job's links with the new one.
        huey.pre_execute("secret-key")(lambda task: secret_keys_refresh())
        huey.post_execute("db")(lambda task, value, exc: close_connections())
    _wrappers["pending"] = huey.task(name="strongroom.pending", retry_backoff=BACKOFF)(
        runner.pending_execute)
    _wrappers["job"] = huey.task(name="strongroom.job")(runner.job_execute)
    for job in jobs_all().values():
        expression = schedule_of(job)
        if expression is None:
            continue
        check = _crontab(expression)

        def validate(self: Any, timestamp: dt.datetime, check: Any = check) -> bool:
            return check(timestamp)

        def tick(slot: str, name: str = job.name) -> None:
            runner.job_execute(name=name, trigger="schedule", slot=slot)

        TaskWrapper(huey, tick, name=f"strongroom.tick.{job.name}",
                    validate_datetime=validate, task_base=_SlotTask)


def crontab_check(expression: str) -> Any:
    """A function telling whether a UTC minute matches ``expression`` (huey's parser)."""
    return _crontab(expression)


# --- putting work on the queue ------------------------------------------------------------

def _enqueue(kind: str, *, retries: int = 0, retry_delay: float = 0.0, **kwargs: Any
             ) -> bool:
    """Put one message on the queue; False (logged, nothing raised) when the queue's
    storage is unreachable: the ledger row stays queued and a worker's sweep sends it."""
    huey = queue_huey()
    wrapper = _wrappers[kind]
    try:
        huey.enqueue(wrapper.task_class(kwargs=kwargs, retries=retries,
                                        retry_delay=retry_delay))
    except Exception as exc:  # noqa: BLE001 - Redis/SQLite down must not fail the caller
        logger.warning("task queue unavailable (%s); the work stays in the ledger and a "
                       "worker picks it up when the queue is back", type(exc).__name__)
        return False
    return True


def pending_enqueue(*, pending_id: int, retries: int, retry_delay: float) -> bool:
    return _enqueue("pending", retries=retries, retry_delay=retry_delay,
                    pending_id=pending_id)


def job_enqueue(*, name: str, trigger: str) -> bool:
    return _enqueue("job", name=name, trigger=trigger)


def pending_defer(*, name: str, kwargs: dict[str, Any]) -> None:
    """Write the ledger row now (in the caller's transaction) and queue its id once
    the transaction commits. Nothing is queued if it rolls back."""
    task = tasks_all()[name]
    now = timezone.now()
    row = PendingTask.objects.create(name=name, kwargs=kwargs, created_at=now,
                                     next_attempt_at=now)
    transaction.on_commit(lambda: pending_enqueue(
        pending_id=row.pk, retries=task.retries, retry_delay=task.retry_delay))

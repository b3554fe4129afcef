"""What a worker does with a message: run a scheduled job once, or a ledger task.

Invariants:
* a job runs at most once at a time: a worker holds the job's lease (``JobLock``) while
  it runs, renewed by its heartbeat; a lease that ran out means the worker died, and
  whoever notices marks the run interrupted and queues the job again (at-least-once);
* a schedule tick runs once even when several workers' schedulers enqueued it: the run
  is recorded under (job, slot), which is unique;
* a ledger task is claimed by one conditional UPDATE (queued -> running), so a message
  delivered twice (a sweep re-queued it, a retry raced) runs once.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import time
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from strongroom.jobs.models import (
    JobLock,
    JobRun,
    PendingTask,
    RunStatus,
    TaskStatus,
)
from strongroom.jobs.registry import PermanentFailure, jobs_all, tasks_all
from strongroom.jobs.signals import job_failing

logger = logging.getLogger("strongroom.jobs")
FAILING_AFTER = 3  # consecutive failed runs of a job that raise an alert


def worker_id() -> str:
    return f"{socket.gethostname()[:100]}:{os.getpid()}"


def lease_seconds() -> int:
    return settings.STRONGROOM_JOBS.lease_seconds


def _lease(now: dt.datetime) -> dt.datetime:
    return now + dt.timedelta(seconds=lease_seconds())


def summary_text(result: Any) -> str:
    if result is None:
        return ""
    if isinstance(result, Mapping):
        return ", ".join(f"{k}: {v}" for k, v in result.items())[:500]
    return str(result)[:500]


def _error_text(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return (f"{type(exc).__name__}: {text}" if text else type(exc).__name__)[:500]


# --- scheduled jobs ---------------------------------------------------------------------

def _lease_take(*, name: str, me: str, now: dt.datetime) -> bool:
    try:
        JobLock.objects.get_or_create(job=name)
    except IntegrityError:  # another worker created it at the same moment
        pass
    with transaction.atomic():
        lock = JobLock.objects.select_for_update().get(job=name)
        if lock.holder and lock.expires_at and lock.expires_at > now:
            return False
        if lock.holder and lock.run_id:  # its worker died: say so on the run
            _interrupted(run_id=lock.run_id, holder=lock.holder, now=now)
        lock.holder, lock.run, lock.expires_at = me, None, _lease(now)
        lock.save()
    return True


def _interrupted(*, run_id: int, holder: str, now: dt.datetime) -> None:
    JobRun.objects.filter(pk=run_id, status=RunStatus.RUNNING).update(
        status=RunStatus.INTERRUPTED, finished_at=now,
        error=f"worker {holder} stopped before the job finished"[:500])


def _lease_release(*, name: str, me: str) -> None:
    JobLock.objects.filter(job=name, holder=me).update(holder="", run=None, expires_at=None)


def job_execute(*, name: str, trigger: str, slot: str | None = None) -> int | None:
    """Run job ``name`` now if nobody is running it (and, for a schedule tick, if the
    tick has not run). Returns the JobRun id, or None when skipped."""
    job = jobs_all().get(name)
    if job is None:
        logger.warning("job %s is not declared by any app; message dropped", name)
        return None
    me, now = worker_id(), timezone.now()
    if not _lease_take(name=name, me=me, now=now):
        logger.info("job %s is already running on another worker; %s run skipped",
                    name, trigger)
        return None
    try:
        with transaction.atomic():
            run = JobRun.objects.create(
                job=name, trigger=trigger, started_at=now, worker=me,
                slot=dt.datetime.fromisoformat(slot) if slot else None)
    except IntegrityError:
        _lease_release(name=name, me=me)
        return None  # this tick already ran (another worker's scheduler enqueued it too)
    JobLock.objects.filter(job=name, holder=me).update(run=run)
    started = time.monotonic()
    status, summary, error = RunStatus.OK, "", ""
    try:
        summary = summary_text(job.func())
    except Exception as exc:  # noqa: BLE001 - recorded on the run and alerted on
        logger.exception("job %s failed", name)
        status, error = RunStatus.FAILED, _error_text(exc)
    finally:
        JobRun.objects.filter(pk=run.pk).update(
            status=status, summary=summary, error=error, finished_at=timezone.now(),
            duration_ms=int((time.monotonic() - started) * 1000))
        _lease_release(name=name, me=me)
    if status == RunStatus.FAILED:
        _failing_check(name=name)
    return run.pk


def _failing_check(*, name: str) -> None:
    last = list(JobRun.objects.filter(job=name).exclude(status=RunStatus.RUNNING)
                .order_by("-started_at", "-pk").values_list("status", flat=True)
                [:FAILING_AFTER])
    if len(last) < FAILING_AFTER or any(s != RunStatus.FAILED for s in last):
        return
    # The alerts app (above the queue) raises the alert; the queue never imports it.
    if not job_failing.send(sender=job_execute, name=name, failures=FAILING_AFTER):
        logger.error("job %s failed %s times in a row and no receiver raised an alert",
                     name, FAILING_AFTER)


# --- ledger tasks ------------------------------------------------------------------------

def pending_execute(*, pending_id: int) -> None:
    """Run ledger task ``pending_id`` once. Raises (so huey retries it after a growing
    delay) while attempts remain; marks it failed when they are used up or the task
    says retrying cannot help."""
    # Function-level: queue.py imports this module to register its tasks with huey (a cycle).
    from strongroom.jobs.queue import BACKOFF

    me, now = worker_id(), timezone.now()
    claimed = PendingTask.objects.filter(pk=pending_id, status=TaskStatus.QUEUED).update(
        status=TaskStatus.RUNNING, worker=me, lease_until=_lease(now),
        attempts=F("attempts") + 1)
    if not claimed:
        return  # done, failed, running elsewhere, or gone
    row = PendingTask.objects.get(pk=pending_id)
    task = tasks_all().get(row.name)
    if task is None:
        _task_finish(row, TaskStatus.FAILED, "no app declares this task")
        return
    try:
        task.func(**row.kwargs)
    except PermanentFailure as exc:
        _task_finish(row, TaskStatus.FAILED, str(exc)[:300])
        return
    except Exception as exc:
        # The class only: a library's message may quote what it was given (an address).
        error = type(exc).__name__
        if row.attempts > task.retries:
            logger.error("task %s #%s failed after %s attempts (%s)", row.name, row.pk,
                         row.attempts, error)
            _task_finish(row, TaskStatus.FAILED, f"gave up after {row.attempts} attempts: "
                                                 f"{error}")
            return
        delay = task.retry_delay * BACKOFF ** (row.attempts - 1)
        PendingTask.objects.filter(pk=row.pk, status=TaskStatus.RUNNING, worker=me).update(
            status=TaskStatus.QUEUED, lease_until=None, last_error=error,
            next_attempt_at=timezone.now() + dt.timedelta(seconds=delay))
        raise
    _task_finish(row, TaskStatus.DONE, "")


def _task_finish(row: PendingTask, status: str, error: str) -> None:
    PendingTask.objects.filter(pk=row.pk).update(status=status, lease_until=None,
                                                 finished_at=timezone.now(),
                                                 last_error=error)


# --- a worker's housekeeping (heartbeat thread) ------------------------------------------

def leases_renew(*, me: str, now: dt.datetime) -> None:
    JobLock.objects.filter(holder=me).update(expires_at=_lease(now))
    PendingTask.objects.filter(worker=me, status=TaskStatus.RUNNING).update(
        lease_until=_lease(now))


def dead_work_recover(*, now: dt.datetime) -> int:
    """Queue again what a dead worker held, and ledger tasks whose message was lost
    (the queue was down at commit). Returns how many were queued."""
    # Function-level: queue.py imports this module to register its tasks with huey (a cycle).
    from strongroom.jobs.queue import job_enqueue, pending_enqueue

    queued = 0
    for lock in JobLock.objects.filter(~Q(holder=""), expires_at__lt=now):
        with transaction.atomic():
            fresh = JobLock.objects.select_for_update().get(pk=lock.pk)
            if not fresh.holder or not fresh.expires_at or fresh.expires_at >= now:
                continue
            if fresh.run_id:
                _interrupted(run_id=fresh.run_id, holder=fresh.holder, now=now)
            fresh.holder, fresh.run, fresh.expires_at = "", None, None
            fresh.save()
        logger.warning("job %s: its worker died mid-run; running it again", lock.job)
        queued += job_enqueue(name=lock.job, trigger="recovery")
    stale = now - dt.timedelta(seconds=lease_seconds())
    tasks = tasks_all()
    for row in PendingTask.objects.filter(
            Q(status=TaskStatus.RUNNING, lease_until__lt=now)
            | Q(status=TaskStatus.QUEUED, next_attempt_at__lt=stale))[:500]:
        won = PendingTask.objects.filter(
            pk=row.pk, status=row.status, next_attempt_at=row.next_attempt_at).update(
            status=TaskStatus.QUEUED, lease_until=None, next_attempt_at=now)
        task = tasks.get(row.name)
        if won and task is not None:
            queued += pending_enqueue(pending_id=row.pk, retries=task.retries,
                                      retry_delay=task.retry_delay)
    return queued

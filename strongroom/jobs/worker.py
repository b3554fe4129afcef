"""``strongroom worker``: huey's consumer (worker threads and the scheduler) plus a
heartbeat thread that says the worker is alive, renews the leases of what it runs, and
re-queues what dead workers left behind.

Stopping: SIGINT (Ctrl-C) or SIGTERM stops taking work, gives running tasks
``SHUTDOWN_SECONDS`` to finish, then exits; an unfinished job keeps its lease until it
runs out and is then run again by another worker (at-least-once).
"""

from __future__ import annotations

import logging
import os
import socket
import threading

from django.db import close_old_connections
from django.utils import timezone

from strongroom.jobs.internal import runner
from strongroom.jobs.models import WorkerBeat
from strongroom.jobs.queue import queue_huey

logger = logging.getLogger("strongroom.jobs")
SHUTDOWN_SECONDS = 3


def beat_interval() -> float:
    return max(1.0, runner.lease_seconds() / 6)


def worker_beat(*, me: str, started_at) -> None:
    now = timezone.now()
    WorkerBeat.objects.update_or_create(worker=me, defaults={
        "host": socket.gethostname()[:255], "pid": os.getpid(), "started_at": started_at,
        "beat_at": now})
    runner.leases_renew(me=me, now=now)
    runner.dead_work_recover(now=now)


def _heartbeat(stop: threading.Event, me: str) -> None:
    started_at = timezone.now()
    while True:
        try:
            worker_beat(me=me, started_at=started_at)
        except Exception:  # noqa: BLE001 - the database may be down; try again next beat
            logger.warning("worker heartbeat failed; retrying in %.0f s", beat_interval(),
                           exc_info=True)
        finally:
            close_old_connections()
        if stop.wait(beat_interval()):
            return


def worker_run(*, threads: int) -> None:
    """Run until SIGINT/SIGTERM. The caller checked the database and keys are ready."""
    huey = queue_huey()
    me = runner.worker_id()
    consumer = huey.create_consumer(
        workers=threads, worker_type="thread", periodic=True, scheduler_interval=1,
        initial_delay=0.1, max_delay=2.0, check_worker_health=True,
        shutdown_timeout=SHUTDOWN_SECONDS)
    stop = threading.Event()
    beat = threading.Thread(target=_heartbeat, args=(stop, me), name="heartbeat",
                            daemon=True)
    beat.start()
    try:
        consumer.run()
    finally:
        stop.set()

"""Real `strongroom worker` processes for tests, on the test database and a real queue
(the SQLite file in the data directory, or Redis db 2), with short leases."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.db import connection

from strongroom.jobs.queue import queue_path, queue_reset

LEASE = 3


def wait_for(predicate: Callable[[], Any], *, timeout: float = 45.0, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or predicate}")
        time.sleep(0.2)


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@dataclasses.dataclass
class Workers:
    redis_url: str | None
    tmp: Path
    procs: list[tuple[subprocess.Popen, Path]] = dataclasses.field(default_factory=list)

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
        env.pop("STRONGROOM_REDIS_URL", None)
        env.pop("STRONGROOM_EMAIL_URL", None)
        env.update({"STRONGROOM_DATABASE_URL": database_url(),
                    "STRONGROOM_JOBS_IMMEDIATE": "0", "STRONGROOM_LOG_LEVEL": "INFO",
                    "STRONGROOM_JOBS_LEASE_SECONDS": str(LEASE)})
        if self.redis_url:
            env["STRONGROOM_REDIS_URL"] = self.redis_url
        env.update(extra)
        return env

    def start(self, **extra: str) -> tuple[subprocess.Popen, Path]:
        log = self.tmp / f"worker-{len(self.procs)}.log"
        with open(log, "wb") as out:
            proc = subprocess.Popen([sys.executable, "-m", "strongroom", "worker"],
                                    env=self.env(**extra), stdout=out,
                                    stderr=subprocess.STDOUT, start_new_session=True)
        self.procs.append((proc, log))
        return proc, log

    def stop_all(self) -> None:
        for proc, _ in self.procs:
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
        for proc, _log in self.procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def use_queue(settings: Any, redis_url: str | None) -> None:
    """This test process queues into the same real storage as the workers. ``settings``
    is pytest-django's fixture, which puts every change back after the test. The SQLite
    queue starts as a new file: one a previous test left (its journal beside it) could
    answer "disk I/O error" to the first connection."""
    settings.STRONGROOM_JOBS = dataclasses.replace(settings.STRONGROOM_JOBS, immediate=False,
                                                   lease_seconds=LEASE)
    settings.STRONGROOM_REDIS_URL = redis_url
    queue_reset()
    if redis_url is None:
        queue = queue_path(settings.STRONGROOM_DATA_DIR)
        for path in (queue, *queue.parent.glob(f"{queue.name}-*")):
            path.unlink(missing_ok=True)


def redis_flush(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()

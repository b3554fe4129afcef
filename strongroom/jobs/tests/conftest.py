from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from strongroom.jobs import registry
from strongroom.jobs.queue import queue_huey, queue_reset
from strongroom.jobs.tests.workers import Workers, redis_flush, use_queue


@pytest.fixture
def declare() -> Iterator[Callable[..., registry.Job]]:
    """Declare a scheduled job for one test (removed afterwards)."""
    added: list[str] = []

    def make(name: str, func: Callable, schedule: str = "* * * * *") -> registry.Job:
        registry.jobs_all()
        registry.scheduled(name, schedule=schedule, description=f"test job {name}")(func)
        added.append(name)
        return registry._jobs[name]

    yield make
    for name in added:
        registry._jobs.pop(name, None)


@pytest.fixture
def declare_task() -> Iterator[Callable[..., registry.Task]]:
    added: list[str] = []

    def make(name: str, func: Callable, retries: int = 2) -> registry.Task:
        registry.tasks_all()
        task = registry.background(name, retries=retries, retry_delay=1)(func)
        added.append(name)
        return task

    yield make
    for name in added:
        registry._tasks.pop(name, None)


@pytest.fixture(params=["sqlite-queue", "redis-queue"])
def workers(request, transactional_db, tmp_path, settings) -> Iterator[Workers]:
    """A pool of real `strongroom worker` processes (stopped afterwards) on the test
    database, with the queue in the data directory's SQLite file or Redis (db 2 of this
    run's own server)."""
    redis_url = (f"{request.getfixturevalue('redis_server')}/2"
                 if request.param == "redis-queue" else None)
    if redis_url:
        redis_flush(redis_url)
    use_queue(settings, redis_url)
    queue_huey().flush()
    pool = Workers(redis_url=redis_url, tmp=tmp_path)
    yield pool
    pool.stop_all()
    queue_huey().flush()
    queue_reset()
    if redis_url:
        redis_flush(redis_url)

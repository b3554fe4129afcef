from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from strongroom.jobs import registry


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

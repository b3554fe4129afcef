"""What runs in the background, and when: THE contract every app schedules work through.

An app declares its work in a module named ``jobs.py`` (found by ``registry_load``, like
Django's admin autodiscovery), with two decorators:

``@scheduled("audit-checkpoint", schedule="0 * * * *", description="...")``
    A periodic job. ``schedule`` is a five-field crontab (minute hour day month weekday,
    UTC); the owner overrides it with ``STRONGROOM_SCHEDULE_<NAME>`` (the name upper-cased,
    dashes as underscores; ``off`` turns the job off). The function takes no argument,
    must be idempotent (a job killed half-way runs again: at-least-once), and returns a
    short summary (``str`` or a ``dict`` of counts) that the Jobs page shows. A job never
    runs twice at the same time, even with several workers.

``@background("mail-send")``
    A one-off task. Call ``func.defer(**kwargs)``: it is queued when the current
    transaction commits (``transaction.on_commit``) and run by the worker with retries.
    Arguments are ids and small scalars only, NEVER personal data (an email address,
    a name, a token): the queue's storage is not encrypted, so the task looks the data
    up again by id. ``defer`` refuses a string argument that looks like an email address.

``defer`` writes a ledger row (``PendingTask``) in the caller's transaction and hands its
id to the queue (huey) once the transaction commits; the worker (``strongroom worker``)
runs it, retrying with exponential backoff. A task that knows retrying cannot help (an
address the mail server refuses) raises ``PermanentFailure``: it is recorded, not retried.
With ``STRONGROOM_JOBS_IMMEDIATE`` (tests) the task runs in-process right after commit;
callers must not depend on which.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.module_loading import autodiscover_modules

_NAME = re.compile(r"^[a-z][a-z0-9-]{1,62}$")
_EMAILISH = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


class JobError(Exception):
    """A job or task was declared or called wrongly (a programming error)."""


class PermanentFailure(Exception):
    """Raised by a task when another attempt cannot succeed: the task is marked failed
    at once (with this message, which must name no person) instead of being retried."""


@dataclass(frozen=True)
class Job:
    name: str
    func: Callable[[], Any]
    schedule: str  # the default crontab; see ``schedule_of``
    description: str

    @property
    def setting(self) -> str:
        return "STRONGROOM_SCHEDULE_" + self.name.upper().replace("-", "_")


@dataclass
class Task:
    name: str
    func: Callable[..., Any]
    retries: int = 5
    retry_delay: float = 10.0  # seconds before the first retry; doubled each time
    options: dict[str, Any] = field(default_factory=dict)

    def __call__(self, **kwargs: Any) -> Any:
        return self.func(**kwargs)

    def defer(self, **kwargs: Any) -> None:
        for key, value in kwargs.items():
            if not isinstance(value, int | str | float | bool | None):
                raise JobError(f"task {self.name}: argument {key} must be a scalar id")
            if isinstance(value, str) and _EMAILISH.search(value):
                raise JobError(f"task {self.name}: argument {key} looks like personal data")
        _dispatch(self, kwargs)


_jobs: dict[str, Job] = {}
_tasks: dict[str, Task] = {}


def _dispatch(task: Task, kwargs: dict[str, Any]) -> None:
    # Function-level import: the registry is imported by every app's jobs.py while the
    # app registry loads, before models may be imported.
    from strongroom.jobs.queue import pending_defer

    pending_defer(name=task.name, kwargs=kwargs)


def schedule_of(job: Job) -> str | None:
    """The crontab the job runs on: the owner's ``STRONGROOM_SCHEDULE_<NAME>`` if set,
    else the declared default; None when the owner turned it ``off``."""
    value = settings.STRONGROOM_JOBS.schedules.get(job.setting, job.schedule)
    return None if value == "off" else value


def _check_name(name: str, registry: dict[str, Any]) -> None:
    if not _NAME.match(name):
        raise JobError(f"job name {name!r}: lower-case letters, digits and dashes")
    if name in registry:
        raise JobError(f"job name {name!r} declared twice")


def scheduled(name: str, *, schedule: str, description: str) -> Callable:
    if len(schedule.split()) != 5:
        raise JobError(f"job {name}: schedule {schedule!r} is not a five-field crontab")

    def register(func: Callable[[], Any]) -> Callable[[], Any]:
        _check_name(name, _jobs)
        _jobs[name] = Job(name=name, func=func, schedule=schedule, description=description)
        return func

    return register


def background(name: str, *, retries: int = 5, retry_delay: float = 10.0
               ) -> Callable[[Callable[..., Any]], Task]:
    def register(func: Callable[..., Any]) -> Task:
        _check_name(name, _tasks)
        task = Task(name=name, func=func, retries=retries, retry_delay=retry_delay)
        _tasks[name] = task
        return task

    return register


def registry_load() -> None:
    """Import every installed app's ``jobs`` module (idempotent)."""
    autodiscover_modules("jobs")


def jobs_all() -> dict[str, Job]:
    registry_load()
    return dict(sorted(_jobs.items()))


def tasks_all() -> dict[str, Task]:
    registry_load()
    return dict(sorted(_tasks.items()))

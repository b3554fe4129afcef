"""Task-queue settings (``strongroom.jobs``): schedule overrides and timings."""

from __future__ import annotations

from dataclasses import dataclass, field

from strongroom.config.parse import ConfigError, integer, truthy


@dataclass(frozen=True)
class JobsConfig:
    """The task queue (``strongroom.jobs``): schedules the owner overrides and timings.

    ``schedules`` maps a job's setting name (``STRONGROOM_SCHEDULE_AUDIT_CHECKPOINT``) to a
    five-field crontab or ``"off"``; which names exist is known only once the apps' jobs
    are loaded, so ``jobs.E001`` reports an override that names no job."""

    schedules: dict[str, str] = field(default_factory=dict)
    # How long a worker's claim on a running job lives without its heartbeat renewing it:
    # a worker killed mid-job loses its claim after this long and the job runs again.
    lease_seconds: int = 60
    # Run tasks inside the process that queued them, with no worker (tests, one-off
    # scripts). `check --deploy` warns (jobs.W002): a request would then do the work.
    immediate: bool = False


def jobs_load(env: dict[str, str]) -> JobsConfig:
    schedules: dict[str, str] = {}
    for name, raw in env.items():
        if not name.startswith("STRONGROOM_SCHEDULE_"):
            continue
        value = " ".join(raw.split()).lower()
        if value != "off" and len(value.split()) != 5:
            raise ConfigError(f"{name}={raw!r} is not a five-field crontab "
                              "(minute hour day month weekday, UTC) or 'off'")
        schedules[name] = value
    raw_lease = env.get("STRONGROOM_JOBS_LEASE_SECONDS", "").strip()
    return JobsConfig(
        schedules=schedules,
        lease_seconds=integer("STRONGROOM_JOBS_LEASE_SECONDS", raw_lease, minimum=3)
        if raw_lease else 60,
        immediate=truthy("STRONGROOM_JOBS_IMMEDIATE", env.get("STRONGROOM_JOBS_IMMEDIATE", "")),
    )


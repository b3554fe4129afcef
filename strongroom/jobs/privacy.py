"""The task queue's tables hold ids, names, counts and error classes: no personal data
(task arguments are checked for it by ``registry.Task.defer``)."""

from strongroom.inventory import OPERATIONAL, declare

declare("jobs.JobRun", OPERATIONAL,
        system=["id", "job", "slot", "trigger", "status", "started_at", "finished_at",
                "duration_ms", "worker", "summary", "error"])
declare("jobs.JobLock", OPERATIONAL, system=["job", "holder", "run", "expires_at"])
declare("jobs.PendingTask", OPERATIONAL,
        system=["id", "name", "kwargs", "status", "attempts", "created_at", "next_attempt_at",
                "lease_until", "worker", "finished_at", "last_error"])
declare("jobs.WorkerBeat", OPERATIONAL,
        system=["worker", "host", "pid", "started_at", "beat_at"])

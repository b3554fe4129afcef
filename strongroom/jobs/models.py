"""What the worker did and is doing: runs of scheduled jobs, the queue's ledger of
one-off tasks, claims on running jobs, and worker heartbeats.

None of these rows holds personal data: job names, ids, counts and error classes only.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class RunStatus(models.TextChoices):
    RUNNING = "running", "Running"
    OK = "ok", "Succeeded"
    FAILED = "failed", "Failed"
    INTERRUPTED = "interrupted", "Interrupted (worker died)"


class Trigger(models.TextChoices):
    SCHEDULE = "schedule", "Schedule"
    MANUAL = "manual", "Run now"
    RECOVERY = "recovery", "Re-run after a dead worker"


class JobRun(models.Model):
    """One run of a scheduled job. ``slot`` is the schedule minute it ran for: unique per
    job, so two workers that both enqueued the same tick run it once."""

    job = models.CharField(max_length=63)
    slot = models.DateTimeField(null=True, blank=True)
    trigger = models.CharField(max_length=16, choices=Trigger.choices)
    status = models.CharField(max_length=16, choices=RunStatus.choices,
                              default=RunStatus.RUNNING)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    worker = models.CharField(max_length=120)
    summary = models.CharField(max_length=500, blank=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["job", "-started_at"])]
        constraints = [models.UniqueConstraint(fields=["job", "slot"], condition=Q(
            slot__isnull=False), name="jobrun_one_per_slot")]

    def __str__(self) -> str:
        return f"{self.job} {self.started_at:%Y-%m-%d %H:%M} {self.status}"


class JobLock(models.Model):
    """A lease on a job: held by one worker at a time, renewed by its heartbeat. A
    lease that ran out means its worker died; the job is then run again."""

    job = models.CharField(max_length=63, primary_key=True)
    holder = models.CharField(max_length=120, blank=True)
    run = models.ForeignKey(JobRun, null=True, blank=True, on_delete=models.SET_NULL,
                            related_name="+")
    expires_at = models.DateTimeField(null=True, blank=True)


class TaskStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class PendingTask(models.Model):
    """The ledger of one-off tasks (the transactional outbox pattern): written in the
    transaction that asks for the work, so the work is never lost when the queue is
    down at commit or a worker is killed mid-task; the queue carries only this row's id.
    ``kwargs`` are ids and small scalars (``Task.defer`` refuses anything else)."""

    name = models.CharField(max_length=63)
    kwargs = models.JSONField(default=dict)
    status = models.CharField(max_length=16, choices=TaskStatus.choices,
                              default=TaskStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField()
    lease_until = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=120, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "next_attempt_at"])]


class WorkerBeat(models.Model):
    """A worker's heartbeat (written every few seconds while it runs)."""

    worker = models.CharField(max_length=120, primary_key=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField()

"""What the store remembers about its backups, drills and maintenance mode.

The destinations are the truth about which backups exist (a backup is complete there
when its signed manifest is); these rows are the store's own record: what it did, how
long it took, what each copy's read-back found. None holds personal data.
"""

from __future__ import annotations

from django.db import models


class Backup(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running"  # stays so if the process was killed: never "complete"
        COMPLETE = "complete"
        FAILED = "failed"

    backup_id = models.CharField(max_length=40, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    engine = models.CharField(max_length=12)
    started_at = models.DateTimeField()
    snapshot_at = models.DateTimeField(null=True)
    finished_at = models.DateTimeField(null=True)
    seconds = models.FloatField(default=0)
    bytes = models.BigIntegerField(default=0)  # the encrypted payload
    plain_bytes = models.BigIntegerField(default=0)
    counts = models.JSONField(default=dict)
    verification = models.JSONField(default=dict)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-started_at"]


class BackupCopy(models.Model):
    """One destination's copy of a backup and what reading it back found."""

    backup = models.ForeignKey(Backup, on_delete=models.CASCADE, related_name="copies")
    destination = models.CharField(max_length=300)  # a URL without credentials
    ok = models.BooleanField(default=False)
    verified_at = models.DateTimeField(null=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        unique_together = [("backup", "destination")]


class Drill(models.Model):
    backup_id = models.CharField(max_length=40, blank=True)
    source = models.CharField(max_length=300, blank=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True)
    ok = models.BooleanField(default=False)
    rpo_seconds = models.FloatField(null=True)  # drill start - the backup's snapshot time
    rto_seconds = models.FloatField(null=True)  # drill start - the scratch store answering
    detail = models.JSONField(default=dict)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-started_at"]


class MaintenanceState(models.Model):
    """One row (pk=1). In the database, not a file: every app process on every host
    shares the database, while each host has its own data directory."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    enabled = models.BooleanField(default=False)
    message = models.CharField(max_length=500, blank=True)
    retry_after = models.PositiveIntegerField(default=600)
    changed_at = models.DateTimeField(null=True)
    changed_by = models.CharField(max_length=100, blank=True)  # "staff:<pk>" / "system:..."

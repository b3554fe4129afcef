"""Scans, findings, self-audit runs and the risk register. No personal data here:
package names, advisory ids, check results and risk descriptions only."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone


class ScanRun(models.Model):
    """One vulnerability scan, kept also when it failed for lack of data."""

    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(max_length=500)
    ok = models.BooleanField(default=False)
    error = models.CharField(max_length=500, blank=True, default="")
    advisories = models.PositiveIntegerField(default=0)  # documents read
    packages = models.PositiveIntegerField(default=0)
    findings = models.PositiveIntegerField(default=0)
    support = models.JSONField(default=list, blank=True)  # end-of-support statuses

    class Meta:
        ordering = ["-started_at", "-id"]


class Finding(models.Model):
    """An installed (package, version) an advisory affects. Open while scans keep
    finding it; ``resolved_at`` is set by the first successful scan that does not."""

    ecosystem = models.CharField(max_length=40)
    package = models.CharField(max_length=200)
    version = models.CharField(max_length=100)
    advisory_id = models.CharField(max_length=100)
    aliases = models.JSONField(default=list, blank=True)
    summary = models.CharField(max_length=300, blank=True, default="")
    severity = models.CharField(max_length=10)  # critical|high|medium|low|unknown
    score = models.FloatField(null=True, blank=True)
    fixed = models.CharField(max_length=100, blank=True, default="")
    upgrade = models.CharField(max_length=300, blank=True, default="")
    first_seen = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["resolved_at", "-score", "package"]
        constraints = [models.UniqueConstraint(
            fields=["ecosystem", "package", "version", "advisory_id"],
            name="posture_finding_unique")]
        indexes = [models.Index(fields=["resolved_at", "severity"])]


class AuditRun(models.Model):
    """One self-audit: the score and the full report (checks, statuses, reasons)."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    score = models.PositiveSmallIntegerField()
    critical_failed = models.BooleanField(default=False)
    counts = models.JSONField(default=dict)  # {"pass": n, "fail": n, "warn": n, "n/a": n}
    report = models.JSONField(default=dict)

    class Meta:
        ordering = ["-at", "-id"]


class Risk(models.Model):
    """A risk register entry; ``checks`` are the self-audit check ids that control it."""

    code = models.CharField(max_length=20, unique=True)  # "T1"... or "R-12"
    title = models.CharField(max_length=200)
    threat = models.TextField()
    asset = models.CharField(max_length=200)
    likelihood = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)])
    impact = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)])
    owner = models.CharField(max_length=100)  # a role or a name the store chooses
    treatment = models.TextField()
    review_due = models.DateField()
    checks = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["code"]

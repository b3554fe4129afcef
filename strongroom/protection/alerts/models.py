"""One list of everything an operator should look at: sign-in attacks, a staff member
past the reveal limit, a changed payment page, a failed audit verification, a backup
destination down, a critical vulnerability, an overdue privacy request...

``summary`` and ``detail`` hold NO personal data (counts, pseudonymous keys, ids): the
alert list is read by more roles than customer data is, and travels in notifications.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Severity(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


class Alert(models.Model):
    kind = models.CharField(max_length=60)  # "signin.credential_stuffing", "access.reveal_limit"
    source = models.CharField(max_length=40)  # the app that raised it: "accounts", "payments"
    severity = models.CharField(max_length=10, choices=Severity.choices)
    summary = models.CharField(max_length=300)
    detail = models.JSONField(default=dict, blank=True)
    # An open alert with the same key is counted again instead of repeated.
    dedupe_key = models.CharField(max_length=200, blank=True, default="")
    count = models.PositiveIntegerField(default=1)
    first_seen = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                        on_delete=models.SET_NULL, related_name="+")

    class Meta:
        db_table = "alerts_alert"
        ordering = ["-last_seen"]
        indexes = [models.Index(fields=["acknowledged_at", "-last_seen"]),
                   models.Index(fields=["dedupe_key"])]

    @property
    def is_open(self) -> bool:
        return self.acknowledged_at is None

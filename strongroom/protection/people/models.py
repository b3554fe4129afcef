"""People tables: training attempts and completions, the vendor register.

None holds personal data: staff are referenced by account id; a vendor row describes a
company and what the store sends it (categories and field names, never values).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class QuizAttempt(models.Model):
    """One quiz handed out: the question and option order shown. Graded once; a replay,
    another account's attempt or another module's answers change nothing."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    module = models.CharField(max_length=64)
    version = models.PositiveIntegerField()
    order = models.JSONField()  # [[question index, [option indexes]], ...]
    created_at = models.DateTimeField(default=timezone.now)
    graded_at = models.DateTimeField(null=True, blank=True)
    score = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        db_table = "people_quiz_attempt"


class TrainingCompletion(models.Model):
    """A passed quiz: who, which module version, score, when; current for 12 months
    (PCI DSS 12.6.1) and only for that version."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="training_completions")
    module = models.CharField(max_length=64)
    version = models.PositiveIntegerField()
    score = models.PositiveSmallIntegerField()
    completed_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    reminded_at = models.DateTimeField(null=True, blank=True)  # "expires soon" emailed

    class Meta:
        db_table = "people_training_completion"
        indexes = [models.Index(fields=["user", "module", "expires_at"],
                                name="people_completion_current")]


class Vendor(models.Model):
    """A third party the store sends personal data to, and what it may receive:
    ``fields`` maps each outbound payload field to its data category (fideslang names,
    ``user.contact.email``; ``system.operations`` for non-personal fields). The sharing
    gate sends nothing else."""

    key = models.SlugField(max_length=40, unique=True)  # what integrations name: "stripe"
    name = models.CharField(max_length=120)
    service = models.CharField(max_length=200)
    purpose = models.CharField(max_length=300)
    legal_basis = models.CharField(max_length=40)
    fields = models.JSONField(default=dict)
    dpa_signed_on = models.DateField(null=True, blank=True)
    dpa_document = models.CharField(max_length=300, blank=True)
    certifications = models.JSONField(default=list)  # [{"name": ..., "expires": "Y-m-d"}]
    region = models.CharField(max_length=80)
    transfer_mechanism = models.CharField(max_length=120, blank=True)
    risk_tier = models.CharField(max_length=10, default="medium")
    next_review_on = models.DateField()
    assessment = models.JSONField(default=dict)  # {question key: bool}
    assessment_score = models.PositiveSmallIntegerField(null=True, blank=True)
    assessed_at = models.DateTimeField(null=True, blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "people_vendor"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.key

    @property
    def categories(self) -> list[str]:
        return sorted(set(self.fields.values()))


class AccessReview(models.Model):
    """A periodic review of every staff account's access (PCI DSS 7.2.4), kept."""

    started_at = models.DateTimeField(default=timezone.now)
    started_by = models.CharField(max_length=64)  # staff id or "system:access-review"
    period_start = models.DateTimeField()
    due_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "people_access_review"
        ordering = ["-started_at"]


class AccessReviewItem(models.Model):
    """One staff account in a review: what it had, and the reviewer's decision."""

    review = models.ForeignKey(AccessReview, on_delete=models.CASCADE, related_name="items")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    role = models.CharField(max_length=32)
    last_activity = models.DateTimeField(null=True, blank=True)
    reveals = models.PositiveIntegerField(default=0)
    decision = models.CharField(max_length=16, blank=True)  # confirmed | changed | disabled
    new_role = models.CharField(max_length=32, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "people_access_review_item"
        constraints = [models.UniqueConstraint(fields=["review", "user"],
                                               name="people_review_item_once")]


class CampaignStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    SENT = "sent", "Sent"
    CANCELLED = "cancelled", "Cancelled"


class PhishingCampaign(models.Model):
    """A simulated phishing email to chosen staff from a template, sent by the task queue
    at ``send_at`` (no pixels: only a click on the signed link and the "Report phishing"
    button are counted). Cancelled only while still scheduled."""

    template = models.CharField(max_length=40)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    send_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=16, choices=CampaignStatus.choices,
                              default=CampaignStatus.SCHEDULED)
    sent_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, blank=True, related_name="+")

    class Meta:
        db_table = "people_phishing_campaign"
        ordering = ["-send_at", "-pk"]
        indexes = [models.Index(fields=["status", "send_at"], name="people_campaign_due")]


class PhishingTarget(models.Model):
    campaign = models.ForeignKey(PhishingCampaign, on_delete=models.CASCADE,
                                 related_name="targets")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    sent_at = models.DateTimeField(null=True, blank=True)
    clicked_at = models.DateTimeField(null=True, blank=True)
    reported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "people_phishing_target"
        constraints = [models.UniqueConstraint(fields=["campaign", "user"],
                                               name="people_phishing_target_once")]

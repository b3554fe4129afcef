"""Incidents (NIST SP 800-61 lifecycle), their timeline and the breach scope they keep.

Free text (title, notes, review) is typed by the owner or security officer; the pages
ask them to name accounts by number, not by person (like the audit log's reason). The
scope rows are pseudonymous vault subject ids: who they are is resolved only when the
notification task sends, inside the vault.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from strongroom.protection.vault.fields import BlindIndexField, EncryptedCharField


class Kind(models.TextChoices):
    ACCOUNT_TAKEOVER = "account_takeover", "Account takeover"
    DATA_BREACH = "data_breach", "Data breach"
    CARD_SKIMMING = "card_skimming", "Card skimming or payment-page tampering"
    RANSOMWARE = "ransomware", "Ransomware or data loss"
    LOST_DEVICE = "lost_device", "Lost device"
    VENDOR_BREACH = "vendor_breach", "Vendor breach"
    DENIAL_OF_SERVICE = "denial_of_service", "Denial of service"


class Severity(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


class Status(models.TextChoices):
    DETECTED = "detected", "Detected"
    TRIAGED = "triaged", "Triaged"
    CONTAINED = "contained", "Contained"
    ERADICATED = "eradicated", "Eradicated"
    RECOVERED = "recovered", "Recovered"
    CLOSED = "closed", "Closed"
    REVIEWED = "reviewed", "Post-incident review done"


# The lifecycle moves forward one step at a time (a skipped step is a step nobody did).
NEXT_STATUS: dict[str, str] = {
    Status.DETECTED: Status.TRIAGED, Status.TRIAGED: Status.CONTAINED,
    Status.CONTAINED: Status.ERADICATED, Status.ERADICATED: Status.RECOVERED,
    Status.RECOVERED: Status.CLOSED, Status.CLOSED: Status.REVIEWED,
}
OPEN_STATUSES = (Status.DETECTED, Status.TRIAGED, Status.CONTAINED, Status.ERADICATED,
                 Status.RECOVERED)


class Incident(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    number = models.PositiveIntegerField(unique=True)
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DETECTED)
    became_aware_at = models.DateTimeField()  # starts the GDPR Art. 33 72-hour clock
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    alert_id = models.BigIntegerField(null=True, blank=True)  # the alert it came from
    lead = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    communications = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                       on_delete=models.SET_NULL, related_name="+")
    technical = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    # The actor the timeline follows (a staff account number or API token id), if known.
    actor_id = models.CharField(max_length=64, blank=True, default="")
    review_cause = models.TextField(blank=True, default="")
    review_lessons = models.TextField(blank=True, default="")
    review_follow_ups = models.TextField(blank=True, default="")
    # A tabletop exercise (PCI DSS 12.10.2): containment is recorded, never executed, and
    # no customer is mailed.
    exercise = models.BooleanField(default=False)

    class Meta:
        db_table = "incidents_incident"
        ordering = ["-number"]
        indexes = [models.Index(fields=["status"], name="incidents_status")]

    def __str__(self) -> str:
        return f"{'EXERCISE-' if self.exercise else 'INC-'}{self.number}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def deadline(self):
        """GDPR Art. 33(1): the supervisory authority within 72 hours of becoming aware."""
        return self.became_aware_at + timezone.timedelta(hours=72)


class EntryKind(models.TextChoices):
    NOTE = "note", "Note"
    STATUS = "status", "Status"
    CONTAINMENT = "containment", "Containment"
    SCOPE = "scope", "Breach scope"
    PLAYBOOK = "playbook", "Playbook step"
    NOTIFICATION = "notification", "Notification"


class TimelineEntry(models.Model):
    """A manual or service-written line of the timeline (audit events are merged in on
    read by ``selectors.incident_timeline``, never copied)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="entries")
    at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=15, choices=EntryKind.choices)
    text = models.TextField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                           on_delete=models.SET_NULL, related_name="+")

    class Meta:
        db_table = "incidents_timelineentry"
        ordering = ["at", "id"]


class ScopeEntry(models.Model):
    """One affected data subject, as the breach-scope query found it."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="scope")
    subject_id = models.UUIDField()
    events = models.PositiveIntegerField()
    categories = models.CharField(max_length=500, blank=True, default="")  # comma-separated
    first_at = models.DateTimeField()
    last_at = models.DateTimeField()

    class Meta:
        db_table = "incidents_scopeentry"
        constraints = [models.UniqueConstraint(fields=["incident", "subject_id"],
                                               name="incidents_scope_subject")]


class NoticeKind(models.TextChoices):
    CUSTOMER = "customer", "Customer notice (GDPR Art. 34)"
    REGULATOR = "regulator", "Regulator report (GDPR Art. 33(3))"


class Notice(models.Model):
    """A draft the owner edits and approves. Editing an approved draft withdraws the
    approval (what is sent is exactly what the owner approved)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=10, choices=NoticeKind.choices)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")

    class Meta:
        db_table = "incidents_notice"
        constraints = [models.UniqueConstraint(fields=["incident", "kind"],
                                               name="incidents_notice_kind")]


class Delivery(models.Model):
    """One customer told (or found without an address): the unique constraint is what
    makes sending twice send nothing the second time."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="deliveries")
    subject_id = models.UUIDField()
    status = models.CharField(max_length=12)  # "sent" | "no_account"
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "incidents_delivery"
        constraints = [models.UniqueConstraint(fields=["incident", "subject_id"],
                                               name="incidents_delivery_subject")]


class Playbook(models.Model):
    """The store's own version of a shipped playbook (``playbooks/<kind>.md``)."""

    kind = models.CharField(max_length=30, choices=Kind.choices, primary_key=True)
    text = models.TextField()
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "incidents_playbook"


class PlaybookTick(models.Model):
    """A playbook step done during an incident (the step's text is kept: the playbook
    may be edited later)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="ticks")
    step = models.CharField(max_length=500)
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                           on_delete=models.SET_NULL, related_name="+")

    class Meta:
        db_table = "incidents_playbooktick"
        constraints = [models.UniqueConstraint(fields=["incident", "step"],
                                               name="incidents_tick_step")]


class Canary(models.Model):
    """One planted fake customer (a honeytoken), known only through a keyed tag.

    Threat: a stolen dump must not show which customers are canaries, or the thief
    simply skips them. The customer row is made like any other; this row names it only
    by ``marker`` (the canary's vault subject id, encrypted under a fresh subject of its
    own, so the foreign key leads nowhere) and ``tag`` (its HMAC under the vault's index
    key, rewritten with the other blind indexes when that key rotates). Without the
    KEK the table is a list of random-looking values; nothing on the customer row differs.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    subject = models.ForeignKey("vault.Subject", on_delete=models.PROTECT, related_name="+")
    marker = EncryptedCharField(max_length=36)
    tag = BlindIndexField(source="marker", kind="text", unique=True)
    planted_at = models.DateTimeField(default=timezone.now)

    personal_fields = ("marker",)

    class Meta:
        db_table = "incidents_canary"


class BlockedRange(models.Model):
    """An address range refused every request (incident containment) until it expires."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="blocks")
    network = models.CharField(max_length=50)  # normalised CIDR, e.g. 203.0.113.0/24
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    lifted_at = models.DateTimeField(null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                           on_delete=models.SET_NULL, related_name="+")

    class Meta:
        db_table = "incidents_blockedrange"
        indexes = [models.Index(fields=["expires_at"], name="incidents_block_expires")]


class ResponseSettings(models.Model):
    """The store's incident-response settings (one row): the owner's time zone, in which
    the regulator deadline is shown (an IANA name; stored times stay UTC)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    time_zone = models.CharField(max_length=64, default="UTC")

    class Meta:
        db_table = "incidents_responsesettings"


class RiskLink(models.Model):
    """A risk in the register (posture) that the post-incident review says this incident
    changes: the review's lessons lead back to the register."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="risk_links")
    risk = models.ForeignKey("posture.Risk", on_delete=models.CASCADE, related_name="+")

    class Meta:
        db_table = "incidents_risklink"
        constraints = [models.UniqueConstraint(fields=["incident", "risk"],
                                               name="incidents_risklink_unique")]

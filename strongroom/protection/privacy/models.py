"""Privacy tables: published policy versions, consent proof, exports, requests, the
erasure ledger and receipts. None holds personal data in the clear: people appear as
their vault subject id (pseudonymous) or an account foreign key; the one export archive
is encrypted under the customer's own key, so erasing them erases it too."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from strongroom.protection.vault.fields import EncryptedTextField


class PolicyVersion(models.Model):
    """A published version of the generated privacy policy, kept forever: consent proof
    points at the version the person was shown."""

    number = models.PositiveIntegerField(unique=True)
    published_at = models.DateTimeField(default=timezone.now)
    sha256 = models.CharField(max_length=64)
    text = models.TextField()  # the whole policy as plain text (what the diff compares)
    document = models.JSONField()  # the same, structured, for the page

    class Meta:
        db_table = "privacy_policy_version"
        ordering = ["-number"]


class PolicySection(models.Model):
    """Free text the owner adds to the policy (the data tables are always generated)."""

    title = models.CharField(max_length=120)
    body = models.TextField(max_length=5000)
    position = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")

    class Meta:
        db_table = "privacy_policy_section"
        ordering = ["position", "id"]


class ConsentMethod(models.TextChoices):
    SIGNUP = "signup", "sign-up form"
    ACCOUNT = "account", "account page"
    API = "api", "API"
    EMAIL_LINK = "email_link", "unsubscribe link in an email"
    ERASURE = "erasure", "account erased"


class ConsentRecord(models.Model):
    """Proof of one answer: who (account and subject), which purpose, the exact wording
    and policy version shown, when and how. Append-only by service; never edited."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                             related_name="+")
    subject_id = models.UUIDField(db_index=True)
    purpose = models.CharField(max_length=40)
    agreed = models.BooleanField()
    wording = models.TextField()
    wording_sha256 = models.CharField(max_length=64)
    policy_version = models.ForeignKey(PolicyVersion, on_delete=models.PROTECT, null=True,
                                       related_name="+")
    method = models.CharField(max_length=16, choices=ConsentMethod.choices)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "privacy_consent_record"
        ordering = ["-at"]


class ExportStatus(models.TextChoices):
    PENDING = "pending", "Waiting"
    BUILDING = "building", "Being prepared"
    READY = "ready", "Ready to download"
    DOWNLOADED = "downloaded", "Downloaded"
    EXPIRED = "expired", "Expired"
    FAILED = "failed", "Failed"


class DataExport(models.Model):
    """A customer's "download my data" archive. Built by the worker; the zip is kept
    encrypted under the customer's subject key until downloaded (then wiped), for at
    most 7 days. The link carries a random token whose SHA-256 is stored here."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    subject = models.ForeignKey("vault.Subject", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=12, choices=ExportStatus.choices,
                              default=ExportStatus.PENDING)
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    token_hash = models.CharField(max_length=64, unique=True)
    archive = EncryptedTextField(null=True, blank=True)  # base64 of the zip; None once wiped
    size = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    ready_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    downloaded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "privacy_data_export"
        ordering = ["-created_at"]


class RequestKind(models.TextChoices):
    ACCESS = "access", "Access (a copy of their data)"
    ERASURE = "erasure", "Erasure"
    CORRECTION = "correction", "Correction"
    OBJECTION = "objection", "Objection"


class Verification(models.TextChoices):
    UNVERIFIED = "unverified", "Not verified yet"
    VERIFIED = "verified", "Identity verified"
    FAILED = "failed", "Could not verify"


class RequestStatus(models.TextChoices):
    OPEN = "open", "Open"
    SCHEDULED = "scheduled", "Erasure scheduled"
    DONE = "done", "Done"
    REFUSED = "refused", "Refused"


class PrivacyRequest(models.Model):
    """A data subject's request (Art. 12-21), from the storefront or received by email,
    phone or post and entered by staff. Must be answered within a month (Art. 12(3))."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(max_length=20, unique=True)
    kind = models.CharField(max_length=12, choices=RequestKind.choices)
    channel = models.CharField(max_length=12)  # storefront, email, phone, post
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                             blank=True, related_name="+")
    subject_id = models.UUIDField(null=True, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField()
    verification = models.CharField(max_length=12, choices=Verification.choices,
                                    default=Verification.UNVERIFIED)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                 null=True, blank=True, related_name="+")
    status = models.CharField(max_length=12, choices=RequestStatus.choices,
                              default=RequestStatus.OPEN)
    erase_after = models.DateTimeField(null=True, blank=True)  # the grace period's end
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=200, blank=True)  # no personal data

    class Meta:
        db_table = "privacy_request"
        ordering = ["due_at"]
        indexes = [models.Index(fields=["status", "due_at"], name="privacy_req_due")]


class ErasureLedgerEntry(models.Model):
    """One erasure, no personal data: replayed after a backup restore (the backups app
    reads this table or ``<data dir>/privacy/erasure-ledger.jsonl``)."""

    seq = models.BigAutoField(primary_key=True)
    subject_id = models.UUIDField(db_index=True)
    erased_at = models.DateTimeField()
    request_id = models.CharField(max_length=40)

    class Meta:
        db_table = "privacy_erasure_ledger"
        ordering = ["seq"]


class ErasureReceipt(models.Model):
    """What was erased, what is kept, why and until when; signed with the store's
    Ed25519 key (the audit checkpoint key), so the customer can prove it later."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    request_id = models.CharField(max_length=40)
    subject_id = models.UUIDField(db_index=True)
    erased_at = models.DateTimeField()
    document = models.JSONField()
    signature = models.CharField(max_length=200)
    key_id = models.CharField(max_length=64)

    class Meta:
        db_table = "privacy_erasure_receipt"


class RetentionNotice(models.Model):
    """An unused account was told it will be closed; erased if still unused later."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                primary_key=True, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "privacy_retention_notice"

from __future__ import annotations

import uuid

from django.db import models

from strongroom.protection.vault.fields import EncryptedCharField, EncryptedTextField


class MailStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed (not retried)"
    CANCELLED = "cancelled", "Cancelled (recipient erased)"


class Outbox(models.Model):
    """One email waiting for the worker, or its record once sent.

    Account emails carry single-use links (reset, sign-in, invitation) and everyone's
    address, so the rendered message is kept encrypted under the recipient's vault
    subject: a stolen database (or the queue's storage, which holds only this row's id)
    reveals neither. The body is wiped once sent; erasing the person makes the row
    unreadable and an unsent message is then cancelled."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    subject = models.ForeignKey("vault.Subject", on_delete=models.PROTECT, related_name="+")
    recipient = EncryptedCharField(max_length=254)
    headline = EncryptedCharField(max_length=300)
    body = EncryptedTextField(blank=True)
    kind = models.CharField(max_length=40)  # the template's name: never personal data
    status = models.CharField(max_length=16, choices=MailStatus.choices,
                              default=MailStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    failure = models.CharField(max_length=300, blank=True)  # SMTP code and class, no address

    personal_fields = ("recipient", "headline", "body")

    class Meta:
        db_table = "mailer_outbox"
        indexes = [models.Index(fields=["status", "created_at"])]

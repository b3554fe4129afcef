"""Audit tables.

``AuditEntry`` (``audit_event``) is append-only: database triggers refuse UPDATE,
DELETE and TRUNCATE (see ``internal/triggers.py``). Every column the hash covers is a
plain string or integer, NOT NULL, so the canonical encoding is the same on SQLite
and PostgreSQL and verification can hash raw cursor rows without conversions; time
is stored as integer microseconds since the epoch for the same reason.

Personal data never appears in plaintext: the subject is the vault data-subject
UUID; the IP address lives encrypted in ``AuditOrigin`` (outside the hash chain, so
key rotation can re-encrypt it and retention can drop it; the chain covers the
origin row's id, and the AES-GCM associated data binds the ciphertext to that row).
``reason`` is free text typed by staff; the console offers reason codes so it holds
no personal data (documented residual risk).
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import models

from strongroom.protection.audit.events import ActorType, AuditEvent
from strongroom.protection.vault.fields import EncryptedCharField


class AuditEntry(models.Model):
    id = models.BigAutoField(primary_key=True)
    chain = models.SmallIntegerField()
    seq = models.BigIntegerField()
    at_us = models.BigIntegerField()  # microseconds since 1970-01-01 UTC
    event = models.PositiveIntegerField()
    actor_type = models.PositiveSmallIntegerField()
    actor_id = models.CharField(max_length=64, blank=True, default="")
    subject_id = models.CharField(max_length=36, blank=True, default="")
    object_type = models.CharField(max_length=64, blank=True, default="")
    object_id = models.CharField(max_length=64, blank=True, default="")
    fields = models.CharField(max_length=500, blank=True, default="")  # comma-separated
    reason = models.CharField(max_length=500, blank=True, default="")
    request_id = models.CharField(max_length=64, blank=True, default="")
    origin_id = models.CharField(max_length=36, blank=True, default="")
    digest = models.CharField(max_length=64)  # sha256 hex over prev digest + this row

    class Meta:
        db_table = "audit_event"
        constraints = [
            models.UniqueConstraint(fields=["chain", "seq"], name="audit_event_chain_seq")
        ]
        indexes = [
            models.Index(fields=["at_us"], name="audit_event_at"),
            models.Index(fields=["subject_id", "at_us"], name="audit_event_subject_at"),
            models.Index(fields=["actor_id", "at_us"], name="audit_event_actor_at"),
            models.Index(fields=["event", "at_us"], name="audit_event_event_at"),
        ]

    def __str__(self) -> str:
        return f"audit #{self.pk} {self.event_label} chain {self.chain}/{self.seq}"

    @property
    def occurred_at(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.at_us / 1_000_000, tz=dt.UTC)

    @property
    def event_label(self) -> str:
        try:
            return AuditEvent(self.event).label
        except ValueError:
            return f"event {self.event}"

    @property
    def actor_label(self) -> str:
        try:
            return ActorType(self.actor_type).label
        except ValueError:
            return f"actor type {self.actor_type}"

    @property
    def field_list(self) -> list[str]:
        return self.fields.split(",") if self.fields else []


class AuditChainHead(models.Model):
    """The last (seq, digest) of each chain: the row lock that serializes its appends.

    Not evidence: verification recomputes everything from ``audit_event`` and only uses
    the heads as a cross-check (a head ahead of its chain means a deleted tail).
    """

    chain = models.SmallIntegerField(primary_key=True)
    seq = models.BigIntegerField(default=0)
    digest = models.CharField(max_length=64)

    class Meta:
        db_table = "audit_chainhead"


class AuditCheckpoint(models.Model):
    """A signed statement of every chain's head; also appended to
    ``<data_dir>/audit/checkpoints.jsonl``. Append-only like ``audit_event``."""

    number = models.BigIntegerField(primary_key=True)
    payload = models.TextField()  # canonical JSON, exactly the signed bytes
    signature = models.CharField(max_length=100)  # base64 Ed25519
    key_id = models.CharField(max_length=16)

    class Meta:
        db_table = "audit_checkpoint"


class AuditOriginSubject(models.Model):
    """A vault subject per calendar month for IPs of actors without their own subject
    (system, failed sign-ins of unknown accounts): retention can shred a month."""

    period = models.CharField(max_length=7, primary_key=True)  # "2025-06"
    subject = models.ForeignKey("vault.Subject", on_delete=models.PROTECT, related_name="+")

    class Meta:
        db_table = "audit_originsubject"


class AuditOrigin(models.Model):
    """Where a request came from: the IP address, encrypted under the actor's subject."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    subject = models.ForeignKey("vault.Subject", on_delete=models.PROTECT, related_name="+")
    ip = EncryptedCharField(max_length=45)

    personal_fields = ("ip",)

    class Meta:
        db_table = "audit_origin"

"""Vault tables. They hold only *wrapped* keys: without the KEK they are noise.

``DataKey.id`` is the key id written into every ciphertext header.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone

from strongroom.protection.vault.fields import (
    BlindIndexField,
    EncryptedCharField,
    EncryptedDateField,
    EncryptedJSONField,
    EncryptedTextField,
)


class Subject(models.Model):
    """A data subject (a customer, a guest checkout): owner of one data key at a time.

    ``erased_at`` set = crypto-shredded: the keys are gone and reads yield ERASED.
    The row stays so "erased" can be told apart from "key missing" (tampering).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    erased_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"subject {self.id}" + (" (erased)" if self.erased_at else "")


class DataKeyState(models.IntegerChoices):
    ACTIVE = 1, "active"  # new writes use the newest active key of the subject
    RETIRING = 2, "retiring"  # still decrypts; re-encryption is moving data off it


class DataKey(models.Model):
    id = models.BigAutoField(primary_key=True)
    subject = models.ForeignKey(Subject, on_delete=models.CASCADE, related_name="data_keys")
    kek_version = models.PositiveIntegerField(db_index=True)
    wrapped = models.BinaryField()
    state = models.PositiveSmallIntegerField(
        choices=DataKeyState.choices, default=DataKeyState.ACTIVE
    )
    created_at = models.DateTimeField(default=timezone.now)
    state_changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["subject", "state"], name="vault_dk_subject_state")]

    def __repr__(self) -> str:
        return f"<DataKey {self.pk} subject={self.subject_id} kek=v{self.kek_version}>"


class IndexKey(models.Model):
    """Blind-index HMAC keys, wrapped by the KEK. Every row is live; newest is primary."""

    version = models.PositiveIntegerField(primary_key=True)
    kek_version = models.PositiveIntegerField(db_index=True)
    wrapped = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)

    def __repr__(self) -> str:
        return f"<IndexKey v{self.version} kek=v{self.kek_version}>"


class Probe(models.Model):
    """A vault-owned record shaped like customer data, holding no real data.

    Used by the test suite, ``bench.run()`` and self-tests so they can exercise the
    fields on any deployment without touching commerce tables. Doubles as the
    reference example of how a model declares encrypted personal data.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="+")
    name = EncryptedCharField(max_length=200, blank=True)
    email = EncryptedCharField(max_length=254, blank=True)
    email_index = BlindIndexField(source="email", kind="email")
    phone = EncryptedCharField(max_length=40, blank=True, null=True)
    phone_index = BlindIndexField(source="phone", kind="phone")
    note = EncryptedTextField(blank=True)
    attrs = EncryptedJSONField(null=True, blank=True)
    born = EncryptedDateField(null=True, blank=True)
    plain = models.CharField(max_length=254, blank=True)  # benchmark baseline only

    personal_fields = ("name", "email", "phone", "note", "attrs", "born")

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from strongroom.protection.vault.fields import BlindIndexField, EncryptedCharField


class Address(models.Model):
    """A customer's saved shipping address (personal data: encrypted by the vault)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="addresses"
    )
    # Encrypted under the account's subject: shredding the account erases its addresses.
    subject = models.ForeignKey("vault.Subject", on_delete=models.PROTECT, related_name="+")
    full_name = EncryptedCharField(max_length=150)
    line1 = EncryptedCharField(max_length=200)
    line2 = EncryptedCharField(max_length=200, blank=True)
    city = EncryptedCharField(max_length=100)
    postal_code = EncryptedCharField(max_length=20)
    country = EncryptedCharField(max_length=2)
    phone = EncryptedCharField(max_length=32, blank=True)
    phone_index = BlindIndexField(source="phone", kind="phone")  # staff "find by phone"
    is_default = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    personal_fields = ("full_name", "line1", "line2", "city", "postal_code", "country", "phone")

    class Meta:
        ordering = ["-is_default", "created_at"]

    def save(self, *args, **kwargs) -> None:
        if self.subject_id is None:
            self.subject_id = self.user.subject_id
        super().save(*args, **kwargs)

"""The first migration of every scenario: a model shaped like customer data."""

from __future__ import annotations

import uuid

from django.db import migrations, models

from strongroom.protection.vault.fields import EncryptedCharField, EncryptedTextField


def holder_fields() -> list[tuple[str, models.Field]]:
    return [
        ("id", models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True)),
        (
            "subject",
            models.ForeignKey(on_delete=models.PROTECT, related_name="+", to="vault.subject"),
        ),
        ("secret", EncryptedCharField(max_length=200, null=True, blank=True)),
        ("note", EncryptedTextField(blank=True)),
        ("plain", models.CharField(max_length=50, blank=True)),
    ]


class Migration(migrations.Migration):
    initial = True
    dependencies = [("vault", "0001_initial")]
    operations = [migrations.CreateModel(name="Holder", fields=holder_fields())]

"""Which installed models carry encrypted fields and blind indexes."""

from __future__ import annotations

from django.apps import apps
from django.db import models

from strongroom.protection.vault.fields import BlindIndexField, EncryptedField


def encrypted_fields(model: type[models.Model]) -> list[EncryptedField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, EncryptedField)]


def index_fields(model: type[models.Model]) -> list[BlindIndexField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, BlindIndexField)]


def encrypted_models() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if encrypted_fields(m)]


def indexed_models() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if index_fields(m)]

from __future__ import annotations

from django.apps import AppConfig


class MovedConfig(AppConfig):
    name = "strongroom.protection.vault.tests.renames.moved"
    label = "vault_renames_moved"
    default_auto_field = "django.db.models.BigAutoField"

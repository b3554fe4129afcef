from __future__ import annotations

from django.apps import AppConfig


class RenamesConfig(AppConfig):
    name = "strongroom.protection.vault.tests.renames"
    label = "vault_renames"
    default_auto_field = "django.db.models.BigAutoField"

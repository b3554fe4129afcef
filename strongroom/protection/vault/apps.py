from __future__ import annotations

from django.apps import AppConfig


class VaultConfig(AppConfig):
    name = "strongroom.protection.vault"
    label = "vault"
    verbose_name = "Vault (keys and field encryption)"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from strongroom.protection.vault import checks  # noqa: F401  (registers checks)
        from strongroom.protection.vault.internal import runtime

        runtime.connect_signals()

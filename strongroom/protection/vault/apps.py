from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import pre_migrate


class VaultConfig(AppConfig):
    name = "strongroom.protection.vault"
    label = "vault"
    verbose_name = "Vault (keys and field encryption)"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Function-level (ready): these import the vault's models (app registry timing).
        from strongroom.protection.vault import checks  # noqa: F401  (registers checks)
        from strongroom.protection.vault.internal import renameguard, runtime

        runtime.connect_signals()
        # Renaming encrypted data without re-encrypting it would make it unreadable:
        # refuse such a migration plan before anything is applied.
        pre_migrate.connect(
            renameguard.on_pre_migrate, sender=self, dispatch_uid="vault.encrypted_renames"
        )

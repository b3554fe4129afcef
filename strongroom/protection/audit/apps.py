from __future__ import annotations

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "strongroom.protection.audit"
    label = "audit"
    verbose_name = "Audit log (tamper-evident)"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from strongroom.protection.audit import checks, signals  # noqa: F401  (registers)

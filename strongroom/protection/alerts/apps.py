from __future__ import annotations

from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "strongroom.protection.alerts"
    label = "alerts"
    verbose_name = "Security and operations alerts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from strongroom.protection.alerts import signals  # noqa: F401  (registers)

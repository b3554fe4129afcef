from __future__ import annotations

from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "strongroom.protection.access"
    label = "access"
    verbose_name = "Staff roles and need-to-know access"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from strongroom.protection.access import checks  # noqa: F401  (registers)

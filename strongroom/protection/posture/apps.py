from __future__ import annotations

from django.apps import AppConfig


class PostureConfig(AppConfig):
    name = "strongroom.protection.posture"
    label = "posture"
    verbose_name = "Security posture: dependencies, self-audit, risk register"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import checks  # noqa: F401 - registers posture.W001

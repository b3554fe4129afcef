from __future__ import annotations

from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "strongroom.jobs"
    label = "jobs"
    verbose_name = "Background and scheduled work"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from strongroom.jobs import checks  # noqa: F401  (registers)

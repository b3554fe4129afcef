from __future__ import annotations

from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "strongroom.protection.incidents"
    label = "incidents"
    verbose_name = "Incident response"
    default_auto_field = "django.db.models.BigAutoField"

from __future__ import annotations

from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "strongroom.protection.incidents"
    label = "incidents"
    verbose_name = "Incident response"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here: models load only once the app registry is ready.
        from strongroom.protection.audit.services import audit_recorded

        from .canaries import on_audit_recorded

        audit_recorded.connect(on_audit_recorded, dispatch_uid="incidents.canaries")

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
        from strongroom.protection.privacy.retention import retention_exempt_register

        from . import selfaudit  # noqa: F401 - registers the incident plan's check
        from .canaries import canary_subject_ids, on_audit_recorded

        audit_recorded.connect(on_audit_recorded, dispatch_uid="incidents.canaries")
        retention_exempt_register(canary_subject_ids)

from __future__ import annotations

from django.apps import AppConfig


class IncidentsConfig(AppConfig):
    name = "strongroom.protection.incidents"
    label = "incidents"
    verbose_name = "Incident response"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here: models load only once the app registry is ready.
        from django.core.signals import request_started

        from strongroom.config.secretwatch import secret_keys_refresh
        from strongroom.hiddensubjects import hidden_subjects_register
        from strongroom.protection.audit.services import audit_recorded

        from . import checks, selfaudit  # noqa: F401 - register the system and plan checks
        from .canaries import canary_subject_ids, on_audit_recorded

        audit_recorded.connect(on_audit_recorded, dispatch_uid="incidents.canaries")
        # A key rotated from the incident page reaches every process (config.secretwatch).
        request_started.connect(secret_keys_refresh, dispatch_uid="config.secretwatch")
        # Canaries are left out of the store's own lists, counts, mailings and exports.
        hidden_subjects_register(canary_subject_ids)

from __future__ import annotations

from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "strongroom.protection.people"
    label = "people"
    verbose_name = "People and partners: training, vendors, sharing, access reviews"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the training gate with access (access knows nothing of people: it
        # asks its registered gates) and the system checks.
        from strongroom.protection.access import gates
        from strongroom.protection.people import checks  # noqa: F401  (registers)
        from strongroom.protection.people.training.selectors import training_gate

        gates.gate_register(training_gate)

from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "strongroom.commerce.payments"
    label = "payments"
    verbose_name = "Payments"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the deploy checks)

        # Every log record, from any logger and to any handler, is PAN-redacted.
        from .internal.panguard import install_record_factory

        install_record_factory()

from django.apps import AppConfig
from django.conf import settings

from strongroom.commerce.money import MoneyError, currency_check
from strongroom.config import ConfigError

from .internal.panguard import install_record_factory


class PaymentsConfig(AppConfig):
    name = "strongroom.commerce.payments"
    label = "payments"
    verbose_name = "Payments"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here, once the app registry is ready: importing it registers the checks.
        from . import checks  # noqa: F401

        # Every log record, from any logger and to any handler, is PAN-redacted.
        install_record_factory()

        # An unknown currency would be charged with a guessed minor unit: refuse to start.
        try:
            currency_check(settings.STRONGROOM_CURRENCY)
        except MoneyError as exc:
            raise ConfigError(f"STRONGROOM_CURRENCY: {exc}; use a code such as EUR, USD, "
                              "JPY or KWD") from None

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

        # An unknown currency would be charged with a guessed minor unit: refuse to start.
        from django.conf import settings

        from strongroom.commerce.money import MoneyError, currency_check
        from strongroom.config import ConfigError

        try:
            currency_check(settings.STRONGROOM_CURRENCY)
        except MoneyError as exc:
            raise ConfigError(f"STRONGROOM_CURRENCY: {exc}; use a code such as EUR, USD, "
                              "JPY or KWD") from None

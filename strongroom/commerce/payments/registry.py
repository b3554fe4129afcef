"""Which gateway the store talks to: the configured one, or the one named by a webhook's
URL or a stored payment (``sandbox``, ``stripe``). While none is configured, orders wait
for payment and nothing is charged (``AwaitingPaymentGateway``)."""

from __future__ import annotations

from django.conf import settings

from .adapters.base import AwaitingPaymentGateway
from .ports import Gateway


def gateway_get(name: str | None = None) -> Gateway:
    """The configured gateway (or the one called ``name``, for webhooks and reconcile)."""
    config = settings.STRONGROOM_PAYMENTS
    name = name or config.gateway
    # The adapters are imported lazily: only the configured one is loaded, and a store
    # without Stripe never imports the stripe library (nor pays its start-up time).
    if name == "sandbox" and config.sandbox_api_key:
        from .adapters.sandbox import SandboxGateway

        return SandboxGateway(config=config, ca_file=settings.STRONGROOM_TLS_CA)
    if name == "stripe" and config.stripe_secret_key:
        from .adapters.stripe import StripeGateway

        return StripeGateway(config=config)
    return AwaitingPaymentGateway()  # type: ignore[return-value]

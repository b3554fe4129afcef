"""Deploy checks for the payment gateway: a store must not go live on test payments.

IDs are stable:
  payments.W001  the sandbox gateway is configured: it takes no real payments
  payments.W002  Stripe is configured with a test-mode secret key
  payments.E001  STRONGROOM_STRIPE_API_BASE sends the Stripe library somewhere else
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def check_gateway(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    config = settings.STRONGROOM_PAYMENTS
    if config.gateway == "sandbox":
        return [checks.Warning(
            "the payment gateway is the built-in sandbox: shoppers pay with test cards and "
            "no money moves", hint="set STRONGROOM_PAYMENT_GATEWAY=stripe with your live "
            "Stripe keys before taking real orders", id="payments.W001")]
    if config.gateway != "stripe":
        return []
    found: list[checks.CheckMessage] = []
    if config.stripe_secret_key.startswith(("sk_test_", "rk_test_")):
        found.append(checks.Warning(
            "STRONGROOM_STRIPE_SECRET_KEY is a test-mode key: no real payments are taken",
            hint="use the live secret key from the Stripe dashboard", id="payments.W002"))
    if config.stripe_api_base:
        # Checkout sessions (amounts, the shopper's email) would go to that host.
        found.append(checks.Error(
            "STRONGROOM_STRIPE_API_BASE points the Stripe library at "
            f"{config.stripe_api_base}: it exists for tests only",
            hint="unset STRONGROOM_STRIPE_API_BASE", id="payments.E001"))
    return found

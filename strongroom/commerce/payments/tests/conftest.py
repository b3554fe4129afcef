from __future__ import annotations

import pytest

from strongroom.commerce.cart import services as cart_services
from strongroom.commerce.checkout.services import order_place
from strongroom.commerce.orders.models import Order
from strongroom.commerce.orders.services import CheckoutDetails
from strongroom.commerce.payments.monitor import monitor_reset
from strongroom.config import PaymentConfig
from strongroom.interfaces.storefront.tests.conftest import HttpsClient
from strongroom.sandbox.tests.kit import path_of, sandbox_start
from strongroom.testing.factories import product_make, user_make

ADDRESS = {"email": "payer@example.test", "full_name": "Pat Payer", "line1": "1 Coin Street",
           "line2": "", "city": "Leeds", "postal_code": "LS1 1AA", "country": "GB",
           "phone": ""}


@pytest.fixture
def client():
    return HttpsClient()


@pytest.fixture(autouse=True)
def _monitor_fresh():
    monitor_reset()
    yield
    monitor_reset()


@pytest.fixture
def sandbox(tmp_path, settings, client):
    """The real sandbox gateway in this process; webhooks go to the Django test client."""

    def to_store(url, body, headers):
        extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()
                 if k.lower() != "content-type"}
        return HttpsClient().post(path_of(url), data=body, content_type="application/json",
                                  **extra).status_code

    box = sandbox_start(tmp_path, sender=to_store)
    settings.STRONGROOM_PAYMENTS = PaymentConfig(
        gateway="sandbox", sandbox_url=box.url, sandbox_api_key=box.api_key,
        sandbox_webhook_secret=box.webhook_secret, timeout=3.0)
    settings.STRONGROOM_TLS_CA = box.ca
    yield box
    box.running.stop()


@pytest.fixture
def variant(db):
    return product_make(name="Brass Scale", price="40.00", stock=10).variants.get()


@pytest.fixture
def owner(db):
    user = user_make(email="owner@example.test", staff=True, full_name="Olive Owner")
    user.is_superuser = True
    user.save(update_fields=["is_superuser"])
    return user


def place_order(client, variant, quantity: int = 1):
    """Checkout through the storefront; returns (order reference, the redirect response)."""
    client.post("/cart/add/", {"variant": variant.pk, "quantity": quantity})
    response = client.post("/checkout/", {**ADDRESS, "step": "review",
                                          "shipping_method": "standard"})
    return Order.objects.order_by("-created_at").first(), response


def order_for_api(variant, user=None):
    cart, _ = cart_services.cart_create(user=user)
    cart_services.cart_line_set(cart=cart, variant_id=variant.pk, quantity=1)
    return order_place(cart=cart, details=CheckoutDetails(**ADDRESS), shipping_method="standard",
                       user=user)

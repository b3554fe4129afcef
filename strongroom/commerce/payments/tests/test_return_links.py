"""Issue 11 item 10, the payment side: the return addresses the store gives the gateway
(where the shopper is sent after paying) came from the request's Host header. With a
forged Host (an allowed name on another port) the gateway must still send the shopper
back to STRONGROOM_PUBLIC_URL."""

from __future__ import annotations

import pytest

from .conftest import place_order

pytestmark = pytest.mark.django_db


def test_gateway_return_address_comes_from_the_public_url(client, sandbox, variant, settings):
    settings.STRONGROOM_PUBLIC_URL = "https://shop.example.test:8443"
    client.defaults["HTTP_HOST"] = "localhost:31337"
    order, placed = place_order(client, variant)
    hosted = client.get(placed.url)
    assert hosted.status_code == 302 and hosted.url.startswith(sandbox.url + "/pay/")
    status, location, _ = sandbox.pay(hosted.url, "4242 4242 4242 4242")
    assert status == 303
    assert location.startswith(f"https://shop.example.test:8443/checkout/return/"
                               f"{order.reference}/"), location
    assert "31337" not in location and "localhost" not in location

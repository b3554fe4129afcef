from __future__ import annotations

import pytest

from strongroom.commerce.catalog.models import Variant
from strongroom.commerce.orders.models import Order

from .conftest import ADDRESS, assert_error

pytestmark = pytest.mark.django_db


@pytest.fixture
def filled_cart(api, variant, cart_token) -> str:
    api.post("/api/cart/lines", {"variant_id": variant.pk, "quantity": 2}, cart=cart_token)
    return cart_token


def test_shipping_methods(api, db):
    methods = {m["code"]: m for m in api.get("/api/checkout/shipping-methods").json()}
    assert methods["standard"]["price"] == "4.95"
    assert methods["standard"]["free_from"] == "75.00"
    assert methods["express"]["free_from"] is None


def test_guest_checkout(api, variant, filled_cart):
    response = api.post("/api/checkout", ADDRESS, cart=filled_cart)
    assert response.status_code == 201, response.content
    body = response.json()
    order = Order.objects.get()
    assert body["reference"] == order.reference and order.user is None
    assert body["status"] == "pending"
    assert body["totals"] == {"currency": order.currency, "subtotal": "40.00",
                              "shipping": "4.95", "total": "44.95"}
    assert body["lines"] == [{"product_name": "Blue teapot", "sku": variant.sku,
                              "unit_price": "20.00", "quantity": 2, "line_total": "40.00"}]
    assert body["payment"] == {"redirect_url": None}
    assert body["shipping_address"]["city"] == "Springfield"
    assert response["Cache-Control"] == "no-store"
    variant.refresh_from_db()
    assert variant.stock == 3
    assert api.get("/api/cart", cart=filled_cart).json()["items"] == []


def test_customer_checkout_links_the_order(api, user, token, variant):
    api.post("/api/cart/lines", {"variant_id": variant.pk, "quantity": 1}, token=token)
    response = api.post("/api/checkout", {**ADDRESS, "shipping_method": "express"},
                        token=token)
    assert response.status_code == 201
    order = Order.objects.get()
    assert order.user == user and order.shipping_method == "express"
    assert api.get(f"/api/orders/{order.reference}", token=token).status_code == 200


def test_empty_cart_is_a_409_not_a_refusal_of_the_request(api, cart_token, token):
    assert_error(api.post("/api/checkout", ADDRESS, cart=cart_token), 409, "cart_empty")
    assert_error(api.post("/api/checkout", ADDRESS, token=token), 409, "cart_empty")


@pytest.mark.parametrize("change, field", [
    ({"email": "not-an-email"}, "email"),
    ({"country": "XX"}, "country"),
    ({"full_name": "   "}, "full_name"),
    ({"phone": "call me maybe"}, "phone"),
    ({"shipping_method": "teleport"}, "shipping_method"),
])
def test_bad_details_are_422_and_write_nothing(api, variant, filled_cart, change, field):
    # The OpenAPI document states each of these rules (pattern, enum), so they are
    # refused as schema validation, like every other input the document rules out.
    response = api.post("/api/checkout", {**ADDRESS, **change}, cart=filled_cart)
    assert_error(response, 422, "validation_error", field=field)
    assert not Order.objects.exists()
    variant.refresh_from_db()
    assert variant.stock == 5


@pytest.mark.parametrize("change, field", [
    ({"email": "a" * 300}, "email"), ({"city": None}, "city"), ({"country": "DEU"}, "country"),
    ({"postal_code": 12345}, "postal_code"), ({"status": "paid"}, "status"),
    ({"total": "0.00"}, "total"),
])
def test_malformed_details_are_422(api, filled_cart, change, field):
    assert_error(api.post("/api/checkout", {**ADDRESS, **change}, cart=filled_cart), 422,
                 "validation_error", field)
    assert not Order.objects.exists()


def test_missing_fields_are_listed(api, filled_cart):
    error = assert_error(api.post("/api/checkout", {"email": "a@example.test"},
                                  cart=filled_cart), 422, "validation_error")
    missing = {d["field"] for d in error["details"] if d["type"] == "missing"}
    assert missing == {"full_name", "line1", "city", "postal_code", "country",
                       "shipping_method"}


def test_sold_out_since_added_is_409_and_writes_nothing(api, variant, filled_cart):
    Variant.objects.filter(pk=variant.pk).update(stock=1)
    error = assert_error(api.post("/api/checkout", ADDRESS, cart=filled_cart), 409,
                         "out_of_stock")
    assert "sold out" in error["message"]
    assert not Order.objects.exists()
    assert Variant.objects.get(pk=variant.pk).stock == 1
    assert api.get("/api/cart", cart=filled_cart).json()["count"] == 2


def test_checkout_needs_a_cart_credential(api, db):
    assert_error(api.post("/api/checkout", ADDRESS), 401)
    assert_error(api.post("/api/checkout", ADDRESS, cart="forged"), 401, "invalid_cart_token")

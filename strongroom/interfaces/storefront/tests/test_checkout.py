"""Guest and customer checkout, its bad inputs, and who may see a placed order."""

from __future__ import annotations

from decimal import Decimal

import pytest

from strongroom.commerce.cart.models import CartLine
from strongroom.commerce.catalog.models import Variant
from strongroom.commerce.customers.models import Address
from strongroom.commerce.orders.models import Order, OrderStatus
from strongroom.commerce.payments.ports import PaymentStart
from strongroom.testing.factories import user_make

from .conftest import ADDRESS, add, checkout, login

pytestmark = pytest.mark.django_db


def test_guest_browse_add_checkout_confirmation(client, product, variant, category):
    assert client.get("/").status_code == 200
    assert client.get(f"/c/{category.slug}/").status_code == 200
    assert client.get(f"/p/{product.slug}/").status_code == 200
    add(client, variant, 2)
    assert client.get("/cart/").status_code == 200
    step1 = client.get("/checkout/")
    assert step1.status_code == 200 and 'id="id_email"' in step1.content.decode()
    step2 = client.post("/checkout/", {**ADDRESS, "step": "address"})
    assert "Shipping method" in step2.content.decode()
    step3 = client.post("/checkout/", {**ADDRESS, "step": "shipping",
                                       "shipping_method": "express"})
    review = step3.content.decode()
    assert "Place order" in review and "EUR 72.00" in review  # 60.00 + 12.00 express
    assert Order.objects.count() == 0  # nothing is written before "Place order"
    done = client.post("/checkout/", {**ADDRESS, "step": "review",
                                      "shipping_method": "express"})
    order = Order.objects.get()
    assert done.status_code == 302 and done.url == f"/order/{order.reference}/"
    assert order.user is None and order.status == OrderStatus.PENDING
    assert order.total == Decimal("72.00") and order.email == ADDRESS["email"]
    assert Variant.objects.get(pk=variant.pk).stock == 3
    assert CartLine.objects.count() == 0
    page = client.get(done.url).content.decode()
    assert order.reference in page and "awaiting payment" in page


def test_checkout_with_an_empty_cart_goes_back_to_the_cart(client, variant):
    r = client.get("/checkout/")
    assert r.status_code == 302 and r.url == "/cart/"
    r = client.post("/checkout/", {**ADDRESS, "step": "review", "shipping_method": "standard"})
    assert r.status_code == 302 and r.url == "/cart/"
    assert Order.objects.count() == 0


@pytest.mark.parametrize("field, value", [
    ("email", "not-an-email"), ("email", ""), ("full_name", ""), ("full_name", "x" * 151),
    ("line1", "x" * 5000), ("postal_code", "1" * 21), ("country", "XX"), ("country", ""),
    ("city", "\x00"), ("phone", "call me maybe"),
])
def test_bad_address_is_a_form_error_on_every_step(client, variant, field, value):
    add(client, variant)
    data = {**ADDRESS, field: value}
    for step in ("address", "shipping", "review"):
        r = client.post("/checkout/", {**data, "step": step, "shipping_method": "standard"})
        assert r.status_code == 400, step
        assert 'aria-invalid="true"' in r.content.decode() or "errorlist" in r.content.decode()
    assert Order.objects.count() == 0


@pytest.mark.parametrize("method", ["", "teleport", "x" * 1000])
def test_bad_shipping_method_is_a_form_error(client, variant, method):
    add(client, variant)
    for step in ("shipping", "review"):
        r = client.post("/checkout/", {**ADDRESS, "step": step, "shipping_method": method})
        assert r.status_code == 400 and "errorlist" in r.content.decode()
    assert Order.objects.count() == 0


def test_unknown_step_is_400(client, variant):
    add(client, variant)
    r = client.post("/checkout/", {**ADDRESS, "step": "pay-nothing",
                                   "shipping_method": "standard"})
    assert r.status_code == 400 and Order.objects.count() == 0


def test_back_buttons_keep_the_answers(client, variant):
    add(client, variant)
    r = client.post("/checkout/", {**ADDRESS, "step": "review", "back": "address",
                                   "shipping_method": "pickup"})
    assert r.status_code == 200 and 'value="1 High Street"' in r.content.decode()
    r = client.post("/checkout/", {**ADDRESS, "step": "review", "back": "shipping",
                                   "shipping_method": "pickup"})
    assert 'id="shipping-pickup" value="pickup" checked' in r.content.decode()


def test_sold_out_at_checkout_goes_back_to_the_cart_and_writes_nothing(client, variant):
    add(client, variant, 2)
    data = {**ADDRESS, "shipping_method": "standard"}
    client.post("/checkout/", {**data, "step": "address"})
    Variant.objects.filter(pk=variant.pk).update(stock=1)  # someone else bought it
    r = client.post("/checkout/", {**data, "step": "review"})
    assert r.status_code == 302 and r.url == "/cart/"
    assert Order.objects.count() == 0
    assert Variant.objects.get(pk=variant.pk).stock == 1
    assert CartLine.objects.get().quantity == 2  # the cart is kept for the shopper to fix
    page = client.get("/cart/", follow=True).content.decode()
    assert "Only 1 of Copper Kettle left in stock." in page


def test_sold_out_between_review_and_place(client, variant, monkeypatch):
    """Stock that vanishes inside order_place (not visible to the pre-check) still ends
    at the cart with a message and nothing written."""
    add(client, variant, 2)
    from strongroom.commerce.cart import selectors

    real = selectors.cart_summary

    def stale_summary(*, cart):
        summary = real(cart=cart)
        Variant.objects.filter(pk=variant.pk).update(stock=0)
        return summary

    monkeypatch.setattr("strongroom.interfaces.storefront.views.checkout.cart_summary",
                        stale_summary)
    r = client.post("/checkout/", {**ADDRESS, "step": "review", "shipping_method": "standard"})
    assert r.status_code == 302 and r.url == "/cart/"
    assert Order.objects.count() == 0 and CartLine.objects.count() == 1
    messages = [str(m) for m in r.wsgi_request._messages]
    assert any("sold out" in m for m in messages)


def test_double_submit_places_one_order(client, variant):
    add(client, variant)
    first = checkout(client)
    second = client.post("/checkout/", {**ADDRESS, "step": "review",
                                        "shipping_method": "standard"})
    assert first.status_code == 302 and second.status_code == 302 and second.url == "/cart/"
    assert Order.objects.count() == 1


def test_payment_redirect_is_followed_when_the_gateway_gives_one(client, variant, monkeypatch):
    from strongroom.commerce.payments import registry

    class Redirecting:
        name = "test"

        def start(self, *, payment, return_url):
            return PaymentStart(redirect_url="https://pay.example.test/session/abc")

    monkeypatch.setattr(registry, "gateway_get", lambda: Redirecting())
    monkeypatch.setattr("strongroom.commerce.payments.services.gateway_get",
                        lambda: Redirecting())
    add(client, variant)
    r = checkout(client)
    assert r.status_code == 302 and r.url == "https://pay.example.test/session/abc"


def test_customer_checkout_prefills_the_default_address(client, customer, variant):
    Address.objects.create(user=customer, full_name="Cora Customer", line1="9 Elm Road",
                           city="Leeds", postal_code="LS1 1AA", country="GB", is_default=True)
    login(client, customer.email)
    add(client, variant)
    html = client.get("/checkout/").content.decode()
    assert 'value="cora@example.test"' in html and 'value="9 Elm Road"' in html
    assert '<option value="GB" selected>' in html


def test_saved_address_choice_is_scoped_to_the_customer(client, customer, variant):
    stranger = user_make()
    theirs = Address.objects.create(user=stranger, full_name="S", line1="Secret Lane 1",
                                    city="X", postal_code="1", country="DE")
    login(client, customer.email)
    add(client, variant)
    r = client.get(f"/checkout/?address={theirs.pk}")
    assert r.status_code == 200 and "Secret Lane" not in r.content.decode()
    assert client.get("/checkout/?address=not-a-uuid").status_code == 200


def test_customer_order_belongs_to_the_account_and_shows_in_history(client, customer, variant):
    login(client, customer.email)
    add(client, variant)
    r = checkout(client)
    order = Order.objects.get()
    assert order.user == customer
    history = client.get("/account/").content.decode()
    assert order.reference in history
    detail = client.get(f"/account/orders/{order.reference}/")
    assert detail.status_code == 200 and "Copper Kettle" in detail.content.decode()
    assert client.get(r.url).status_code == 200


# --- Who may see an order (IDOR) ---------------------------------------------------------

def _guest_order(client, variant) -> Order:
    add(client, variant)
    checkout(client)
    return Order.objects.latest("created_at")


def test_confirmation_is_invisible_to_another_session(client, other_client, variant):
    order = _guest_order(client, variant)
    assert client.get(f"/order/{order.reference}/").status_code == 200
    assert other_client.get(f"/order/{order.reference}/").status_code == 404


def test_confirmation_is_invisible_to_another_account(client, other_client, variant, customer):
    order = _guest_order(client, variant)
    login(other_client, customer.email)
    assert other_client.get(f"/order/{order.reference}/").status_code == 404
    assert other_client.get(f"/account/orders/{order.reference}/").status_code == 404


def test_account_order_is_invisible_to_another_account(client, other_client, variant, customer):
    login(client, customer.email)
    order = _guest_order(client, variant)
    assert order.user == customer
    intruder = user_make(password="another long passphrase")
    login(other_client, intruder.email, "another long passphrase")
    assert other_client.get(f"/account/orders/{order.reference}/").status_code == 404
    assert other_client.get(f"/order/{order.reference}/").status_code == 404
    assert order.reference not in other_client.get("/account/").content.decode()


def test_logging_out_ends_the_sessions_view_of_its_orders(client, variant, customer):
    login(client, customer.email)
    order = _guest_order(client, variant)
    client.post("/account/logout/")
    assert client.get(f"/order/{order.reference}/").status_code == 404


@pytest.mark.parametrize("ref", ["SR-AAAAAAAAAAAA", "sr-lowercase", "x" * 200, "%00", "..%2F"])
def test_unknown_or_odd_references_are_404(client, ref):
    assert client.get(f"/order/{ref}/").status_code == 404


def test_tampered_placed_orders_in_session_are_ignored(client, other_client, variant):
    order = _guest_order(client, variant)
    session = other_client.session
    session["placed_orders"] = "not a list"
    session.save()
    assert other_client.get(f"/order/{order.reference}/").status_code == 404
    assert other_client.get("/").status_code == 200

"""The session cart: add, update, remove, and every kind of bad input as a clear 4xx."""

from __future__ import annotations

import pytest

from strongroom.commerce.cart.models import Cart, CartLine
from strongroom.commerce.cart.selectors import cart_by_token
from strongroom.commerce.cart.services import cart_create, cart_line_set
from strongroom.testing.factories import product_make

from .conftest import add, login

pytestmark = pytest.mark.django_db


def _lines(client) -> dict[int, int]:
    token = client.session.get("cart_token")
    cart = cart_by_token(token=token) if isinstance(token, str) else None
    return {} if cart is None else dict(cart.lines.values_list("variant_id", "quantity"))


def test_add_update_remove(client, variant):
    r = add(client, variant, 2)
    assert r.status_code == 302 and r.url == "/cart/"
    page = client.get("/cart/")
    html = page.content.decode()
    assert "Copper Kettle" in html and "EUR 60.00" in html and 'id="cart-count">2<' in html
    assert client.post("/cart/update/", {"variant": variant.pk, "quantity": 3}).status_code == 302
    assert _lines(client) == {variant.pk: 3}
    assert client.post("/cart/remove/", {"variant": variant.pk}).status_code == 302
    assert _lines(client) == {}
    assert "Your cart is empty" in client.get("/cart/").content.decode()


def test_quantity_zero_on_update_removes_the_line(client, variant):
    add(client, variant, 2)
    client.post("/cart/update/", {"variant": variant.pk, "quantity": 0})
    assert CartLine.objects.count() == 0


def test_cart_token_lives_in_the_session_only_hashed_in_the_database(client, variant):
    add(client, variant)
    token = client.session["cart_token"]
    assert len(token) >= 40
    assert not Cart.objects.filter(token_hash=token).exists()


@pytest.mark.parametrize("quantity", ["0", "-1", "100", "1e3", "abc", "", "1.5",
                                      "99999999999999999999999999", "9" * 5000, "\x00"])
def test_bad_quantity_on_add_is_a_form_error(client, variant, quantity):
    r = add(client, variant, quantity)
    assert r.status_code == 400
    assert 'class="errorlist' in r.content.decode()
    assert CartLine.objects.count() == 0


@pytest.mark.parametrize("variant_id", ["999999", "0", "-5", "abc", "", "9" * 40, "1 OR 1=1"])
def test_unknown_or_garbage_variant_on_add_is_4xx(client, variant, variant_id):
    r = client.post("/cart/add/", {"variant": variant_id, "quantity": 1})
    assert r.status_code in (400, 404)
    assert CartLine.objects.count() == 0


def test_inactive_variant_cannot_be_added(client, variant):
    variant.is_active = False
    variant.save()
    assert add(client, variant).status_code == 404
    assert CartLine.objects.count() == 0


def test_more_than_in_stock_is_refused_with_a_message(client, variant):
    r = add(client, variant, 6)  # stock is 5
    assert r.status_code == 400
    assert "Only 5" in r.content.decode()
    add(client, variant, 5)
    r = add(client, variant, 1)
    assert r.status_code == 400 and "Only 5" in r.content.decode()
    assert _lines(client) == {variant.pk: 5}


@pytest.mark.parametrize("quantity", ["-1", "100", "x", "", "9" * 400])
def test_bad_quantity_on_update_is_400_and_changes_nothing(client, variant, quantity):
    add(client, variant, 2)
    r = client.post("/cart/update/", {"variant": variant.pk, "quantity": quantity})
    assert r.status_code == 400
    assert _lines(client) == {variant.pk: 2}


def test_update_of_a_line_not_in_the_cart_is_404(client, variant):
    other = product_make().variants.get()
    add(client, variant)
    r = client.post("/cart/update/", {"variant": other.pk, "quantity": 1})
    assert r.status_code == 404
    assert _lines(client) == {variant.pk: 1}
    assert client.post("/cart/update/", {"variant": 2**40, "quantity": 1}).status_code == 400


def test_update_above_stock_is_refused_with_message(client, variant):
    add(client, variant, 2)
    r = client.post("/cart/update/", {"variant": variant.pk, "quantity": 9})
    assert r.status_code == 400 and "Only 5" in r.content.decode()


def test_remove_garbage_is_400(client, variant):
    assert client.post("/cart/remove/", {"variant": "x"}).status_code == 400


@pytest.mark.parametrize("url", ["/cart/add/", "/cart/update/", "/cart/remove/",
                                 "/account/logout/"])
def test_post_only_endpoints_refuse_get(client, url):
    assert client.get(url).status_code == 405


def test_oversized_fields_are_rejected_not_crashed(client, variant):
    r = client.post("/cart/add/", {"variant": str(variant.pk), "quantity": "1" * 100_000})
    assert r.status_code == 400


@pytest.mark.parametrize("tampered", ["garbage", "", 12345, None, ["x"], "a" * 10_000])
def test_tampered_session_token_gives_an_empty_cart_and_a_fresh_one(client, variant, tampered):
    session = client.session
    session["cart_token"] = tampered
    session.save()
    r = client.get("/cart/")
    assert r.status_code == 200 and "Your cart is empty" in r.content.decode()
    assert add(client, variant).status_code == 302
    assert _lines(client) == {variant.pk: 1}


def test_session_token_of_an_accounts_cart_opens_nothing(client, variant, customer):
    """A guest session cannot reach an account's cart even holding its token."""
    cart, token = cart_create(user=customer)
    cart_line_set(cart=cart, variant_id=variant.pk, quantity=2)
    session = client.session
    session["cart_token"] = token
    session.save()
    assert "Your cart is empty" in client.get("/cart/").content.decode()
    add(client, variant)
    assert dict(cart.lines.values_list("variant_id", "quantity")) == {variant.pk: 2}


def test_two_sessions_have_separate_carts(client, other_client, variant):
    add(client, variant, 2)
    assert "Your cart is empty" in other_client.get("/cart/").content.decode()
    other_client.post("/cart/remove/", {"variant": variant.pk})
    assert _lines(client) == {variant.pk: 2}


def test_logged_in_customer_uses_the_account_cart(client, customer, variant):
    login(client, customer.email)
    add(client, variant, 2)
    cart = Cart.objects.get(user=customer)
    assert dict(cart.lines.values_list("variant_id", "quantity")) == {variant.pk: 2}
    assert "cart_token" not in client.session


def test_unavailable_item_shows_as_a_problem_and_blocks_checkout(client, variant):
    add(client, variant, 3)
    variant.stock = 1
    variant.save()
    html = client.get("/cart/").content.decode()
    assert "Only 1 of Copper Kettle left in stock." in html
    assert 'id="checkout-link"' not in html
    r = client.get("/checkout/")
    assert r.status_code == 302 and r.url == "/cart/"


def test_csrf_is_enforced(variant):
    from .conftest import HttpsClient

    strict = HttpsClient(enforce_csrf_checks=True)
    assert strict.post("/cart/add/", {"variant": variant.pk, "quantity": 1}).status_code == 403
    assert CartLine.objects.count() == 0

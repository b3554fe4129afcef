"""Sign up, log in/out, the cart merge at login, saved addresses and password change."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model

from strongroom.commerce.cart.models import Cart
from strongroom.commerce.cart.selectors import cart_by_token
from strongroom.commerce.cart.services import cart_create, cart_line_set
from strongroom.commerce.customers.models import Address
from strongroom.commerce.orders.models import Order
from strongroom.testing.factories import product_make, user_make

from .conftest import PASSWORD, add, checkout, login

pytestmark = pytest.mark.django_db
User = get_user_model()

SIGNUP = {"email": "New.Person@Example.TEST", "full_name": "New Person",
          "password": "a long and unusual passphrase", "password_confirm":
          "a long and unusual passphrase"}


def _main(response) -> str:
    html = response.content.decode()
    return html[html.index("<main"):html.index("</main>")]


def _confirmation_link(message) -> str:
    return re.search(r"https://testserver(/account/confirm-email/\S+/)", message.body).group(1)


def test_sign_up_confirms_the_email_then_orders_show_in_history(client, variant, mailoutbox,
                                                                sends):
    with sends():
        r = client.post("/account/signup/", SIGNUP)
    assert r.status_code == 200 and "Check your inbox" in r.content.decode()
    user = User.objects.get()
    assert user.email == "new.person@example.test" and user.full_name == "New Person"
    assert user.password.startswith("argon2$argon2id$")
    assert user.email_verified_at is None and "_auth_user_id" not in client.session
    # Not signed in until the mailbox is proven; the right password re-sends the link.
    with sends():
        r = login(client, "new.person@example.test", SIGNUP["password"])
    assert "confirm your email" in r.content.decode() and "_auth_user_id" not in client.session
    assert len(mailoutbox) == 2 and mailoutbox[0].to == ["new.person@example.test"]
    r = client.get(_confirmation_link(mailoutbox[0]))
    assert r.status_code == 302 and r.url == "/account/"
    assert "_auth_user_id" in client.session
    assert client.get(_confirmation_link(mailoutbox[1])).status_code == 400  # used up
    assert "You have not placed any orders yet" in client.get("/account/").content.decode()
    add(client, variant)
    checkout(client)
    order = Order.objects.get()
    assert order.user == user
    assert order.reference in client.get("/account/").content.decode()


@pytest.mark.parametrize("overrides, field_text", [
    ({"password": "password123", "password_confirm": "password123"}, "too common"),
    ({"password": "short", "password_confirm": "short"}, "at least 10 characters"),
    ({"password": "12345678901234", "password_confirm": "12345678901234"}, "too easy to guess"),
    ({"password_confirm": "something else entirely"}, "do not match"),
    ({"email": "nope"}, "valid email"),
    ({"full_name": ""}, "required"),
    ({"full_name": "x" * 151}, "at most 150"),
    ({"email": "x" * 300 + "@example.test"}, "at most 254"),
])
def test_sign_up_refuses_bad_input_with_form_errors(client, overrides, field_text):
    r = client.post("/account/signup/", {**SIGNUP, **overrides})
    assert r.status_code == 400
    assert field_text in r.content.decode()
    assert not User.objects.exists() and "_auth_user_id" not in client.session


def test_sign_up_with_a_taken_email_looks_the_same_and_tells_the_owner(client, customer,
                                                                       mailoutbox, sends):
    with sends():
        fresh = client.post("/account/signup/", {**SIGNUP, "email": "fresh@example.test"})
    with sends():
        taken = client.post("/account/signup/", {**SIGNUP, "email": "CORA@example.test"})
    assert taken.status_code == fresh.status_code == 200
    assert (_main(taken).replace("CORA@example.test", "X")
            == _main(fresh).replace("fresh@example.test", "X"))
    assert User.objects.count() == 2  # cora and fresh: no second cora
    assert [m.to for m in mailoutbox] == [["fresh@example.test"], ["cora@example.test"]]
    assert "already have an account" in mailoutbox[1].subject


def test_login_and_logout(client, customer):
    page = client.get("/account/login/").content.decode()
    assert 'for="id_username">Email' in page and 'for="id_password">Password' in page
    r = login(client, customer.email)
    assert r.status_code == 302 and r.url == "/account/"
    assert client.get("/account/").status_code == 200
    assert client.get("/account/logout/").status_code == 405  # GET cannot log out
    assert client.get("/account/").status_code == 200
    r = client.post("/account/logout/")
    assert r.status_code == 302
    assert client.get("/account/").status_code == 302


def test_login_is_case_insensitive_on_email(client, customer):
    assert login(client, "Cora@Example.test").status_code == 302


def test_unknown_email_and_wrong_password_get_the_same_answer(client, customer):
    wrong = login(client, customer.email, "not the password at all")
    unknown = login(client, "nobody@example.test", PASSWORD)
    # 400 with the form again, as the console answers (issue 11): the same for both.
    assert wrong.status_code == unknown.status_code == 400
    message = "That email and password do not match an account."
    assert message in wrong.content.decode() and message in unknown.content.decode()
    customer.is_active = False
    customer.save()
    assert message in login(client, customer.email).content.decode()


@pytest.mark.parametrize("username, password", [
    ("", ""), ("x" * 300, "y"), ("a@b.c\x00", "p"), ("cora@example.test", "p" * 5000),
])
def test_login_odd_input_is_a_form_error(client, customer, username, password):
    r = client.post("/account/login/", {"username": username, "password": password})
    assert r.status_code == 400 and "errorlist" in r.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_next_cannot_redirect_off_site(client, customer):
    r = client.post("/account/login/?next=https://evil.example/",
                    {"username": customer.email, "password": PASSWORD,
                     "next": "https://evil.example/"})
    assert r.status_code == 302 and r.url == "/account/"
    client.post("/account/logout/")
    r = client.post("/account/login/", {"username": customer.email, "password": PASSWORD,
                                        "next": "/account/addresses/"})
    assert r.url == "/account/addresses/"


# --- Cart merge at login -----------------------------------------------------------------

def test_guest_cart_merges_into_the_account_cart_at_login(client, customer, variant):
    other = product_make(price="5.00", stock=20).variants.get()
    account_cart, _ = cart_create(user=customer)
    cart_line_set(cart=account_cart, variant_id=variant.pk, quantity=1)
    add(client, variant, 2)
    add(client, other, 3)
    guest_token = client.session["cart_token"]
    login(client, customer.email)
    assert "cart_token" not in client.session
    assert cart_by_token(token=guest_token) is None  # the guest token opens nothing now
    cart = Cart.objects.get(user=customer)
    assert dict(cart.lines.values_list("variant_id", "quantity")) == {variant.pk: 3,
                                                                       other.pk: 3}
    assert 'id="cart-count">6<' in client.get("/cart/").content.decode()


def test_guest_cart_becomes_the_account_cart_when_it_has_none(client, customer, variant):
    add(client, variant, 2)
    login(client, customer.email)
    cart = Cart.objects.get(user=customer)
    assert dict(cart.lines.values_list("variant_id", "quantity")) == {variant.pk: 2}
    client.post("/account/logout/")
    assert "Your cart is empty" in client.get("/cart/").content.decode()  # logged out
    login(client, customer.email)
    assert "Copper Kettle" in client.get("/cart/").content.decode()


def test_guest_cart_merges_when_the_sign_up_is_confirmed(client, variant, mailoutbox, sends):
    add(client, variant, 2)
    with sends():
        client.post("/account/signup/", SIGNUP)
    client.get(_confirmation_link(mailoutbox[0]))
    cart = Cart.objects.get(user=User.objects.get())
    assert dict(cart.lines.values_list("variant_id", "quantity")) == {variant.pk: 2}


def test_failed_login_keeps_the_guest_cart(client, customer, variant):
    add(client, variant, 2)
    login(client, customer.email, "wrong password here")
    assert client.session.get("cart_token")
    assert not Cart.objects.filter(user=customer).exists()


# --- Saved addresses ----------------------------------------------------------------------

ADDR = {"full_name": "Cora Customer", "line1": "9 Elm Road", "line2": "", "city": "Leeds",
        "postal_code": "LS1 1AA", "country": "GB", "phone": ""}


def test_add_set_default_and_delete_addresses(client, customer):
    login(client, customer.email)
    assert client.post("/account/addresses/", ADDR).status_code == 302
    assert client.post("/account/addresses/", {**ADDR, "line1": "1 Oak Lane"}).status_code == 302
    first, second = Address.objects.order_by("created_at")
    assert first.is_default and not second.is_default
    assert client.post(f"/account/addresses/{second.pk}/default/").status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert second.is_default and not first.is_default
    html = client.get("/account/addresses/").content.decode()
    assert "9 Elm Road" in html and "1 Oak Lane" in html
    assert client.post(f"/account/addresses/{second.pk}/delete/").status_code == 302
    first.refresh_from_db()
    assert first.is_default and Address.objects.count() == 1


@pytest.mark.parametrize("overrides", [
    {"country": "XX"}, {"line1": ""}, {"postal_code": "9" * 50}, {"phone": "no phone"},
    {"city": "x" * 10_000},
])
def test_bad_address_is_a_form_error(client, customer, overrides):
    login(client, customer.email)
    r = client.post("/account/addresses/", {**ADDR, **overrides})
    assert r.status_code == 400 and "errorlist" in r.content.decode()
    assert not Address.objects.exists()


def test_another_customers_address_cannot_be_touched(client, customer):
    stranger = user_make()
    theirs = Address.objects.create(user=stranger, full_name="S", line1="Secret Lane 1",
                                    city="X", postal_code="1", country="DE", is_default=True)
    login(client, customer.email)
    assert "Secret Lane" not in client.get("/account/addresses/").content.decode()
    assert client.post(f"/account/addresses/{theirs.pk}/delete/").status_code == 404
    assert client.post(f"/account/addresses/{theirs.pk}/default/").status_code == 404
    assert client.post("/account/addresses/not-a-uuid/delete/").status_code == 404
    assert Address.objects.filter(pk=theirs.pk, is_default=True).exists()


def test_address_endpoints_are_post_only(client, customer):
    login(client, customer.email)
    client.post("/account/addresses/", ADDR)
    address = Address.objects.get()
    assert client.get(f"/account/addresses/{address.pk}/delete/").status_code == 405
    assert Address.objects.exists()


def test_address_limit(client, customer):
    from strongroom.commerce.customers.services import MAX_ADDRESSES

    login(client, customer.email)
    for i in range(MAX_ADDRESSES):
        assert client.post("/account/addresses/", {**ADDR, "line1": f"{i} Road"}).status_code == 302
    r = client.post("/account/addresses/", ADDR)
    assert r.status_code == 400 and "at most" in r.content.decode()
    assert Address.objects.count() == MAX_ADDRESSES


# --- Password change ----------------------------------------------------------------------

def test_password_change_keeps_the_session_and_rejects_weak_passwords(client, customer):
    login(client, customer.email)
    r = client.post("/account/password/", {"current_password": PASSWORD,
                                           "new_password": "password123",
                                           "new_password_confirm": "password123"})
    assert r.status_code == 400 and "too common" in r.content.decode()
    r = client.post("/account/password/", {"current_password": "wrong",
                                           "new_password": "a brand new passphrase",
                                           "new_password_confirm": "a brand new passphrase"})
    assert r.status_code == 400 and "errorlist" in r.content.decode()
    r = client.post("/account/password/", {"current_password": PASSWORD,
                                           "new_password": "a brand new passphrase",
                                           "new_password_confirm": "a brand new passphrase"})
    assert r.status_code == 302 and client.get("/account/").status_code == 200
    customer.refresh_from_db()
    assert customer.check_password("a brand new passphrase")

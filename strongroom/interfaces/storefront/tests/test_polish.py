"""Shop polish (issue 11, item 19): sign-in answers, the throttle wording, and a guest at
checkout who creates an account and is brought back to the checkout."""

from __future__ import annotations

import re

import pytest

from strongroom.interfaces.storefront.views.auth import throttled_message

from .conftest import PASSWORD, add, login

pytestmark = pytest.mark.django_db

SIGNUP = {"email": "checkout.person@example.test", "full_name": "Cass Checkout",
          "password": "a long and unusual passphrase",
          "password_confirm": "a long and unusual passphrase"}


@pytest.mark.parametrize(("seconds", "text"), [
    (0, "please wait 1 second and"), (1, "please wait 1 second and"),
    (2, "please wait 2 seconds and"), (89, "please wait 89 seconds and"),
    (90, "please wait 2 minutes and"), (600, "please wait 10 minutes and"),
])
def test_the_wait_is_said_in_good_english(seconds, text):
    assert text in throttled_message(seconds)


def test_a_failed_shop_sign_in_is_a_400_like_the_consoles(client, customer):
    response = login(client, customer.email, "not the password")
    assert response.status_code == 400
    assert "That email and password do not match an account." in response.content.decode()
    assert 'name="username"' in response.content.decode()  # the form again
    assert login(client, customer.email, PASSWORD).status_code == 302


def test_guest_checkout_offers_log_in_and_create_an_account(client, variant):
    add(client, variant)
    html = client.get("/checkout/").content.decode()
    note = html[html.index('id="guest-note"'):]
    note = note[:note.index("</p>")]
    assert "/account/login/?next=/checkout/" in note
    assert "/account/signup/?next=/checkout/" in note and "create an account" in note


def _confirmation_link(message) -> str:
    return re.search(r"https?://[^/\s]+(/account/confirm-email/\S+/)", message.body).group(1)


def test_the_confirmation_link_returns_to_checkout_when_the_sign_up_came_from_there(
        client, variant, mailoutbox, sends):
    add(client, variant)
    page = client.get("/account/signup/?next=/checkout/").content.decode()
    assert 'name="next" value="/checkout/"' in page
    with sends():
        response = client.post("/account/signup/", {**SIGNUP, "next": "/checkout/"})
    assert response.status_code == 200
    response = client.get(_confirmation_link(mailoutbox[0]))
    assert response.status_code == 302 and response.url == "/checkout/"
    assert "_auth_user_id" in client.session
    assert "signup_next" not in client.session  # used once


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil"])
def test_the_way_back_after_confirming_is_never_off_site(client, mailoutbox, sends, target):
    with sends():
        client.post(f"/account/signup/?next={target}", {**SIGNUP, "next": target})
    response = client.get(_confirmation_link(mailoutbox[0]))
    assert response.status_code == 302 and response.url == "/account/"


def test_the_login_page_carries_the_checkout_to_sign_up(client):
    html = client.get("/account/login/?next=/checkout/").content.decode()
    assert "/account/signup/?next=/checkout/" in html.replace("%2F", "/")

"""Adding the first second factor needs the password typed recently: otherwise whoever
holds a stolen or unattended session could enrol their own authenticator and lock the
owner out of the account (the owner's password alone would no longer sign in)."""

from __future__ import annotations

import json
import time

import pytest
from django.urls import reverse

from strongroom.protection.accounts.selectors import (
    PASSWORD_STEP_UP_MAX_AGE,
    PASSWORD_VERIFIED_AT,
    password_fresh,
)
from strongroom.protection.accounts.throttling import throttle
from strongroom.protection.audit.events import AuditEvent

from .conftest import PASSWORD, failures, login

pytestmark = pytest.mark.django_db


def test_a_session_alone_cannot_add_a_first_factor(client, customer):
    client.force_login(customer)  # a hijacked cookie: signed in, password never typed
    page = client.get(reverse("storefront:totp_setup"))
    assert page.status_code == 302 and page.url.startswith(reverse("storefront:password_confirm"))
    assert client.post(reverse("storefront:totp_setup"), {"code": "123456"}).status_code == 302
    options = client.post(reverse("storefront:passkey_register_options"))
    assert options.status_code == 403
    assert json.loads(options.content)["redirect"].startswith(
        reverse("storefront:password_confirm"))
    assert client.post(reverse("storefront:passkey_register"), data="{}",
                       content_type="application/json").status_code == 403


def test_the_password_opens_it_and_returns_to_the_page(client, customer):
    client.force_login(customer)
    wrong = client.post(reverse("storefront:password_confirm"),
                        {"password": "not my password at all", "next": "/account/security/totp/"})
    assert wrong.status_code == 400 and "not your password" in wrong.content.decode()
    assert failures(AuditEvent.LOGIN_FAILED) == 1  # counted like a sign-in
    right = client.post(reverse("storefront:password_confirm"),
                        {"password": PASSWORD, "next": "/account/security/totp/"})
    assert right.status_code == 302 and right.url == "/account/security/totp/"
    assert client.get(reverse("storefront:totp_setup")).status_code == 200
    evil = client.post(reverse("storefront:password_confirm"),
                       {"password": PASSWORD, "next": "https://evil.example/"})
    assert evil.url == reverse("storefront:security")  # no open redirect


def test_a_password_sign_in_counts_for_a_while(client, customer):
    assert login(client, customer.email).status_code == 302
    assert client.get(reverse("storefront:totp_setup")).status_code == 200
    stamp = client.session[PASSWORD_VERIFIED_AT]
    later = stamp + PASSWORD_STEP_UP_MAX_AGE.total_seconds() + 1

    class Request:
        session = {PASSWORD_VERIFIED_AT: stamp}

    assert password_fresh(request=Request(), now=stamp + 60)
    assert not password_fresh(request=Request(), now=later)
    assert not password_fresh(request=Request(), now=stamp - 60)  # a stamp from the future


def test_guessing_the_password_on_the_confirm_page_is_throttled(client, customer):
    client.force_login(customer)
    codes = [client.post(reverse("storefront:password_confirm"),
                         {"password": f"guess number {n}"}).status_code for n in range(12)]
    assert codes[:throttle.ACCOUNT_FREE] == [400] * throttle.ACCOUNT_FREE
    assert 429 in codes
    assert failures(AuditEvent.LOGIN_FAILED) < 12
    started = time.monotonic()
    blocked = client.post(reverse("storefront:password_confirm"), {"password": PASSWORD})
    assert blocked.status_code == 429 and time.monotonic() - started < 5  # even the right one
    assert PASSWORD_VERIFIED_AT not in client.session


def test_confirm_page_needs_a_signed_in_user(client):
    response = client.get(reverse("storefront:password_confirm"))
    assert response.status_code == 302 and "/account/login/" in response.url

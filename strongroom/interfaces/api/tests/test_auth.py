from __future__ import annotations

import pytest
from django.core.cache import cache

from strongroom.protection.accounts.models import ApiToken
from strongroom.protection.accounts.tokens import api_token_hash

from .conftest import PASSWORD, assert_error, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


def test_token_create_use_and_revoke(api, user):
    response = api.post("/api/auth/token", {"email": user.email.upper(), "password": PASSWORD,
                                            "name": "phone"})
    assert response.status_code == 201
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_at"]
    raw = body["token"]
    stored = ApiToken.objects.get(user=user)
    assert stored.name == "phone"
    assert stored.token_hash == api_token_hash(raw) and raw not in stored.token_hash
    assert response["Cache-Control"] == "no-store"

    assert api.get("/api/orders", token=raw).status_code == 200
    assert api.delete("/api/auth/token", token=raw).status_code == 204
    assert not ApiToken.objects.filter(user=user).exists()
    assert_error(api.get("/api/orders", token=raw), 401, "unauthorized")
    assert_error(api.delete("/api/auth/token", token=raw), 401)


def test_unknown_email_and_wrong_password_look_the_same(api, user):
    wrong = api.post("/api/auth/token", {"email": user.email, "password": "not it at all"})
    unknown = api.post("/api/auth/token", {"email": "nobody@example.test",
                                           "password": PASSWORD})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert wrong["WWW-Authenticate"] == unknown["WWW-Authenticate"]
    assert not ApiToken.objects.exists()


def test_inactive_user_gets_no_token(api, user):
    user.is_active = False
    user.save()
    assert_error(api.post("/api/auth/token", {"email": user.email, "password": PASSWORD}), 401)


def test_staff_get_no_token_and_staff_tokens_do_not_work(api):
    staff = make_user(staff=True)
    assert_error(api.post("/api/auth/token", {"email": staff.email, "password": PASSWORD}),
                 403, "staff_token_refused")
    from strongroom.protection.accounts.tokens import api_token_create

    _, raw = api_token_create(user=staff)
    assert_error(api.get("/api/orders", token=raw), 401)


def test_password_guessing_is_throttled(api, user):
    from strongroom.protection.accounts.throttling.throttle import ACCOUNT_FREE

    for _ in range(ACCOUNT_FREE + 1):  # then delays start (accounts.throttling.throttle)
        assert_error(api.post("/api/auth/token", {"email": user.email, "password": "guess"}),
                     401)
    response = api.post("/api/auth/token", {"email": user.email, "password": PASSWORD})
    assert_error(response, 429, "throttled")
    assert int(response["Retry-After"]) > 0
    # Another account from the same address is still served.
    other = make_user()
    assert api.post("/api/auth/token", {"email": other.email,
                                        "password": PASSWORD}).status_code == 201


@pytest.mark.parametrize("body", [{}, {"email": "a@example.test"}, {"password": "x"},
                                  {"email": 5, "password": "x"},
                                  {"email": "a@example.test", "password": "x", "admin": True}])
def test_token_request_validation(api, body):
    assert_error(api.post("/api/auth/token", body), 422, "validation_error")


@pytest.mark.parametrize("header", ["Bearer", "Bearer ", "Bearer nonsense", "Basic abc",
                                    "Bearer sr_" + "x" * 200, "Token sr_abc"])
def test_bad_authorization_headers_are_401(api, header):
    response = api.client.get("/api/orders", secure=True, headers={"Authorization": header})
    assert_error(response, 401, "unauthorized")


def test_expired_token_is_401(api, user):
    from datetime import timedelta

    from django.utils import timezone

    from strongroom.protection.accounts.tokens import api_token_create

    _, raw = api_token_create(user=user, now=timezone.now() - timedelta(days=31))
    assert_error(api.get("/api/orders", token=raw), 401)


def test_session_cookie_is_never_api_authentication(api, user, token):
    """A logged-in browser session must not authenticate API calls: a page on another
    site could otherwise make the shopper's browser act through the API (CSRF)."""
    api.client.force_login(user)
    assert_error(api.get("/api/orders"), 401)
    assert_error(api.delete("/api/auth/token"), 401)
    # Nor is a bearer token accepted from a cookie.
    api.client.logout()
    api.client.cookies["Authorization"] = f"Bearer {token}"
    api.client.cookies["token"] = token
    assert_error(api.get("/api/orders"), 401)


def test_token_post_without_csrf_token_from_a_session_still_needs_credentials(api, user):
    api.client.force_login(user)
    api.client.handler.enforce_csrf_checks = True
    response = api.post("/api/auth/token", {"email": user.email, "password": "wrong"})
    assert_error(response, 401)

"""Who gets into the console: staff only; customers are refused without an oracle."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.urls import URLPattern, reverse

from strongroom.interfaces.console import urls as console_urls
from strongroom.testing.accounts import totp_code
from strongroom.testing.factories import user_make

from . import roles_fixtures
from .conftest import PASSWORD, https_client

pytestmark = pytest.mark.django_db
# an admin whose session has passed MFA, in place of conftest's role-less staff
staff, staff_client = roles_fixtures.staff, roles_fixtures.staff_client

PAGES = ["console:dashboard", "console:order_list", "console:customer_list",
         "console:product_list", "console:product_create"]
LOGIN = reverse("console:login")


def test_every_console_view_except_login_is_staff_only():
    open_views = {"login", "logout", "invite_accept"}  # the invite link is the credential
    for pattern in console_urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        if pattern.name not in open_views:
            assert getattr(pattern.callback, "staff_required", False), pattern.name


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_is_sent_to_console_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN + "?next=")


def test_anonymous_post_to_action_is_sent_to_login_not_executed(client, order):
    response = client.post(reverse("console:order_status", args=[order.reference]),
                           {"to_status": "cancelled"})
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    order.refresh_from_db()
    assert order.status == "pending"


@pytest.mark.parametrize("name", PAGES)
def test_signed_in_customer_gets_403(customer_client, name):
    assert customer_client.get(reverse(name)).status_code == 403


def test_customer_cannot_change_an_order(customer_client, order):
    response = customer_client.post(reverse("console:order_status", args=[order.reference]),
                                    {"to_status": "cancelled"})
    assert response.status_code == 403
    order.refresh_from_db()
    assert order.status == "pending"


@pytest.mark.parametrize("name", PAGES)
def test_staff_sees_each_page(staff_client, name):
    response = staff_client.get(reverse(name))
    assert response.status_code == 200
    assert b'class="console-nav"' in response.content


def test_pages_carry_no_inline_script_or_style(staff_client, order):
    for url in [reverse(n) for n in PAGES] + [
        reverse("console:order_detail", args=[order.reference]), LOGIN,
    ]:
        html = staff_client.get(url).content.decode()
        assert "<script>" not in html and "style=" not in html and " onclick" not in html


def test_inactive_staff_is_treated_as_anonymous(staff_client, staff):
    staff.is_active = False
    staff.save()
    response = staff_client.get(reverse("console:dashboard"))
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


# --- login -----------------------------------------------------------------------------------
def _verify(next_path: str) -> str:
    return reverse("storefront:mfa_step_up") + "?" + urlencode({"next": next_path})


def _login(client, email, password, **extra):
    return client.post(LOGIN, {"email": email, "password": password, **extra})


def test_staff_login_succeeds_and_rotates_the_session(client, staff):
    session = client.session
    session["planted"] = "x"
    session.save()
    before = session.session_key
    response = _login(client, staff.email, PASSWORD)
    # The password is right; the second factor comes next, under a new session id.
    assert response.status_code == 302
    assert response["Location"] == _verify(reverse("console:dashboard"))
    assert client.session.session_key != before
    assert "_auth_user_id" not in client.session
    response = client.post(response["Location"], {"code": totp_code(staff.totp_secret)})
    assert response["Location"] == reverse("console:dashboard")
    assert client.get(reverse("console:dashboard")).status_code == 200


def test_login_email_is_case_insensitive(client, staff):
    assert _login(client, staff.email.upper(), PASSWORD).status_code == 302


def test_customer_with_right_password_gets_the_same_failure_as_a_wrong_password(
    client, customer, staff,
):
    refused_customer = _login(client, customer.email, PASSWORD)
    wrong_password = _login(client, staff.email, "not the password at all")
    unknown = _login(client, "nobody@example.test", PASSWORD)
    for response in (refused_customer, wrong_password, unknown):
        assert response.status_code == 400
        assert "do not open the staff console" in response.content.decode()
    assert refused_customer.content.count(b"errorlist") == wrong_password.content.count(
        b"errorlist")
    assert "_auth_user_id" not in client.session


def test_inactive_staff_cannot_log_in(client):
    user = user_make(email="gone@example.test", staff=True)
    user.is_active = False
    user.save()
    assert _login(client, "gone@example.test", PASSWORD).status_code == 400


def test_login_rejects_malformed_input(client):
    assert _login(client, "not-an-email", "x").status_code == 400
    assert _login(client, "a@example.test", "x" * 5000).status_code == 400
    assert client.post(LOGIN, {}).status_code == 400


@pytest.mark.parametrize("target,expected", [
    ("/console/orders/", "/console/orders/"),
    ("https://evil.example/console/", "/console/"),
    ("//evil.example/console/", "/console/"),
    ("/account/", "/console/"),
])
def test_login_next_only_goes_to_console_paths(client, staff, target, expected):
    response = _login(client, staff.email, PASSWORD, next=target)
    assert response.status_code == 302 and response["Location"] == _verify(expected)


def test_login_requires_csrf(staff):
    client = https_client(enforce_csrf_checks=True)
    response = client.post(LOGIN, {"email": staff.email, "password": PASSWORD})
    assert response.status_code == 403


def test_logout_is_post_only(staff_client):
    assert staff_client.get(reverse("console:logout")).status_code == 405
    response = staff_client.post(reverse("console:logout"))
    assert response.status_code == 302 and response["Location"] == LOGIN
    assert staff_client.get(reverse("console:dashboard")).status_code == 302


def test_signed_in_staff_visiting_login_goes_to_dashboard(staff_client):
    response = staff_client.get(LOGIN)
    assert response.status_code == 302 and response["Location"] == reverse("console:dashboard")

"""A second sign-in in a browser that is already signed in (a second tab left on the
sign-in page, or a sign-in after an email-confirmation link already signed the person in)
used to answer 500: the session id stayed the same, so tracking it broke the unique
``key_hash``. Each sign-in must give a new session id and leave one tracked session."""

from __future__ import annotations

import pytest
from django.urls import reverse

from strongroom.protection.accounts.models import UserSession
from strongroom.protection.accounts.sessions import key_hash
from strongroom.testing.accounts import staff_make, totp_code
from strongroom.testing.factories import user_make

from .conftest import PASSWORD, login

pytestmark = pytest.mark.django_db


def _tracked(client) -> bool:
    return UserSession.objects.filter(key_hash=key_hash(client.session.session_key)).exists()


def test_second_storefront_sign_in_in_the_same_session(client, customer):
    assert login(client, customer.email).status_code == 302
    first = client.session.session_key
    response = login(client, customer.email)  # the second tab's form
    assert response.status_code == 302
    assert client.session.session_key != first  # a new id at every sign-in
    assert UserSession.objects.filter(user=customer).count() == 1 and _tracked(client)
    assert client.get("/account/").status_code == 200


def test_sign_in_after_the_confirmation_link_signed_the_person_in(client, sends,
                                                                  mailoutbox):
    with sends():
        client.post("/account/signup/", {
            "email": "newbie@example.test", "full_name": "New Bie",
            "password": PASSWORD, "password_confirm": PASSWORD})
    link = next(line for line in mailoutbox[-1].body.splitlines() if "/confirm-email/" in line)
    assert client.get(link.strip()).status_code == 302  # the link signs them in
    assert login(client, "newbie@example.test").status_code == 302
    assert UserSession.objects.filter(user__email_index__isnull=False).count() == 1
    assert _tracked(client)


def test_signing_in_as_someone_else_replaces_the_first_tracked_session(client, customer):
    other = user_make(email="other@example.test", password=PASSWORD)
    login(client, customer.email)
    login(client, other.email)
    assert not UserSession.objects.filter(user=customer).exists()  # no orphan left listed
    assert UserSession.objects.filter(user=other).count() == 1 and _tracked(client)


def test_second_console_sign_in_in_the_same_session(client):
    staff = staff_make(email="desk@example.test", password=PASSWORD)
    form = {"email": staff.email, "password": PASSWORD}
    assert client.post(reverse("console:login"), form).status_code == 302
    client.post("/account/verify/", {"code": totp_code(staff.totp_secret)})
    assert client.get(reverse("console:dashboard")).status_code == 200
    # The console's sign-in page left open in another tab, submitted again.
    response = client.post(reverse("console:login"), form)
    assert response.status_code == 302
    client.post("/account/verify/", {"code": totp_code(staff.totp_secret)})
    assert client.get(reverse("console:dashboard")).status_code == 200
    assert UserSession.objects.filter(user=staff).count() == 1 and _tracked(client)


def test_session_started_twice_for_one_key_keeps_one_row(rf, customer):
    """Any path reaching Django's login() twice with the same key (force_login, a
    future sign-in page) must not break on the unique key hash."""
    from django.contrib.sessions.backends.db import SessionStore

    from strongroom.protection.accounts import sessions

    request = rf.get("/")
    request.session = SessionStore()
    sessions.session_started(request=request, user=customer)
    sessions.session_started(request=request, user=customer)
    assert UserSession.objects.filter(user=customer).count() == 1

"""Issue 11 item 10: emailed and externally given links came from the request's Host
header, and ALLOWED_HOSTS does not check the port: a reset link for a victim could point
to ``https://<store host>:31337/…``. Every link is now built from STRONGROOM_PUBLIC_URL;
here each emailing route is driven with a forged Host (an allowed name, another port)."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from strongroom.protection.access.roles import Role
from strongroom.testing.factories import user_make
from strongroom.testing.staff import HttpsClient, console_client, staff_make

pytestmark = pytest.mark.django_db
PUBLIC = "https://shop.example.test:8443"
FORGED = "localhost:31337"  # "localhost" is in the test run's ALLOWED_HOSTS
PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _public(settings):
    settings.STRONGROOM_PUBLIC_URL = PUBLIC


def _forged(client):
    client.defaults["HTTP_HOST"] = FORGED
    return client


def _links_are_public(outbox) -> int:
    links = [link for message in outbox for link in re.findall(r"https?://\S+", message.body)]
    for message in outbox:
        assert "31337" not in message.body and "localhost" not in message.body, message.body
    assert links and all(link.startswith(PUBLIC + "/") for link in links), links
    return len(links)


def test_reset_and_sign_up_links_ignore_the_host_header(django_capture_on_commit_callbacks):
    user_make(email="victim@example.test")
    client = _forged(HttpsClient())
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/account/password/reset/",
                           {"email": "victim@example.test"}).status_code == 200
        client.post("/account/signup/", {"email": "fresh@example.test", "full_name": "F",
                                         "password": PASSWORD, "password_confirm": PASSWORD})
        client.post("/account/signup/", {"email": "victim@example.test", "full_name": "V",
                                         "password": PASSWORD, "password_confirm": PASSWORD})
    assert len(mail.outbox) == 3
    assert _links_are_public(mail.outbox) >= 4  # reset, confirm, sign-in + reset


def test_email_change_link_ignores_the_host_header(django_capture_on_commit_callbacks):
    user = user_make(email="mover@example.test")
    client = _forged(HttpsClient())
    client.force_login(user)
    session = client.session
    import time

    from strongroom.protection.accounts.selectors import PASSWORD_VERIFIED_AT

    session[PASSWORD_VERIFIED_AT] = time.time()
    session.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("storefront:email_change"),
                               {"new_email": "moved@example.test", "password": PASSWORD})
    assert response.status_code == 200, response.content
    assert _links_are_public([m for m in mail.outbox if m.to == ["moved@example.test"]]) == 1


def test_staff_invitation_links_ignore_the_host_header(django_capture_on_commit_callbacks):
    owner = _forged(console_client(staff_make(Role.OWNER)))
    with django_capture_on_commit_callbacks(execute=True):
        response = owner.post(reverse("console:staff_invite"), {
            "email": "desk@example.test", "full_name": "Desk", "role": "support"})
    assert response.status_code == 302, response.content
    assert _links_are_public(mail.outbox) == 1


def test_public_url_helper_refuses_anything_but_a_local_path():
    from strongroom.publicurl import public_url

    assert public_url("/x/") == PUBLIC + "/x/"
    for bad in ("https://evil.example/", "//evil.example/", "x/"):
        with pytest.raises(ValueError):
            public_url(bad)

"""Issue 11 item 6: rotating the secret key signed everyone out and killed every emailed
link at once. With the old key in STRONGROOM_SECRET_KEY_FALLBACKS (Django's
SECRET_KEY_FALLBACKS) sessions, reset links and known browsers survive the rotation;
without it they do not (which is what an operator wants after a leak)."""

from __future__ import annotations

import re
import secrets

import pytest

from .conftest import login

pytestmark = pytest.mark.django_db
OLD, NEW = secrets.token_urlsafe(64), secrets.token_urlsafe(64)


def _rotate(settings, *, keep_old: bool) -> None:
    settings.SECRET_KEY = NEW
    settings.SECRET_KEY_FALLBACKS = [OLD] if keep_old else []


def test_settings_take_the_fallbacks_from_the_configuration():
    from django.conf import settings

    from strongroom import config

    assert settings.SECRET_KEY_FALLBACKS == config.load().secret_key_fallbacks


@pytest.mark.parametrize("keep_old", [True, False])
def test_signed_in_browser_and_reset_link_across_a_rotation(client, customer, settings,
                                                            sends, mailoutbox, keep_old):
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = OLD, []
    assert login(client, customer.email).status_code == 302
    with sends():
        client.post("/account/password/reset/", {"email": customer.email})
    link = re.search(r"https://\S+/account/password/reset/\S+/", mailoutbox[-1].body).group(0)
    path = link.split("testserver", 1)[1]

    _rotate(settings, keep_old=keep_old)
    assert client.get("/account/").status_code == (200 if keep_old else 302)
    assert client.get(path).status_code == (200 if keep_old else 400)


def test_a_known_browser_is_still_known_after_a_rotation(make_client, customer, settings,
                                                         sends, mailoutbox):
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = OLD, []
    browser = make_client()
    login(browser, customer.email)  # the first browser
    browser.post("/account/logout/")
    login(make_client(), customer.email)  # a second one, so the next is not "the first"
    _rotate(settings, keep_old=True)
    with sends():
        login(browser, customer.email)
    assert not [m for m in mailoutbox if "new sign-in" in m.subject]

"""Test helpers for accounts with a second factor: staff with a confirmed TOTP device,
a Django test-client sign-in that has passed MFA, TOTP codes that are never replays,
and a Playwright console sign-in that enrols TOTP the first time, as a person would."""

from __future__ import annotations

import re
import time
from typing import Any

import pyotp

from strongroom.testing.factories import user_make

_last_step: dict[str, int] = {}


def totp_code(secret: str) -> str:
    """A valid code not used before by this helper (the store refuses replays): the
    current step, or the next one (accepted as clock drift) when the current is spent."""
    secret = secret.replace(" ", "")
    now_step = int(time.time() // 30)
    step = max(now_step, _last_step.get(secret, -1) + 1)
    while step > now_step + 1:  # both spent: wait for the clock
        time.sleep(1)
        now_step = int(time.time() // 30)
    _last_step[secret] = step
    return pyotp.TOTP(secret).generate_otp(step)


def totp_enrol(user: Any) -> str:
    """Give ``user`` a confirmed TOTP device; returns its secret."""
    from django.utils import timezone

    from strongroom.protection.accounts.internal.totp import secret_new
    from strongroom.protection.accounts.models import TotpDevice

    secret = secret_new()
    TotpDevice.objects.create(user=user, subject_id=user.subject_id, secret=secret,
                              confirmed_at=timezone.now())
    return secret


def staff_make(*, mfa: bool = True, trained: bool = True, **kwargs: Any):
    """A staff account; with ``mfa`` a confirmed TOTP device (``user.totp_secret``); with
    ``trained`` current training in every module (the training gate lets it reveal)."""
    from strongroom.testing.people import training_complete

    user = user_make(staff=True, **kwargs)
    user.totp_secret = totp_enrol(user) if mfa else None
    if trained:
        training_complete(user)
    return user


def mfa_login(client: Any, user: Any) -> Any:
    """Sign ``user`` in on a Django test client as if password and second factor were
    given now (the console and step-up pages then let it through)."""
    from strongroom.protection.accounts.selectors import MFA_VERIFIED_AT

    client.force_login(user)
    session = client.session
    session[MFA_VERIFIED_AT] = time.time()
    session.save()
    return client


# --- Playwright -------------------------------------------------------------------------------

_console_secrets: dict[str, str] = {}


def console_sign_in(page: Any, store: Any, *, email: str | None = None,
                    password: str | None = None, next_path: str = "/console/") -> None:
    """Sign in to the console in a real browser: password, then TOTP. The first time an
    account signs in it has no factor: enrol one by reading the key shown on the page."""
    from playwright.sync_api import expect

    email = email or store.owner_email
    password = password or store.owner_password
    page.goto(store.base_url + "/console/login/?next=" + next_path)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    if "/account/security/" in page.url:  # no factor yet: the console sends us to enrol
        page.locator("#totp-setup-link").click()
        secret = re.sub(r"\s", "", page.locator("#totp-secret").inner_text())
        _console_secrets[email] = secret
        page.get_by_label("6-digit code from your authenticator app").fill(totp_code(secret))
        page.locator("#totp-confirm-button").click()
        expect(page.locator("#recovery-codes")).to_be_visible()
        page.locator("#recovery-done").click()
    elif "/account/verify/" in page.url:
        page.get_by_label("6-digit code from your authenticator app").fill(
            totp_code(_console_secrets[email]))
        page.locator("#totp-button").click()
    expect(page).to_have_url(re.compile(re.escape(store.base_url) + r"/console/"))


def console_totp_secret(email: str) -> str | None:
    return _console_secrets.get(email)

"""A customer and a staff member each enrol TOTP and a passkey and sign in with them, in
Chromium, against a real `strongroom serve`. Passkeys use Chromium's virtual
authenticator (DevTools protocol): a software authenticator, no hardware."""

from __future__ import annotations

import re
import secrets

import pytest
from playwright.sync_api import expect

from strongroom.testing.accounts import console_sign_in, console_totp_secret, totp_code

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("live-store")]


def _virtual_authenticator(page) -> None:
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
        "hasUserVerification": True, "isUserVerified": True}})


def _errors_collected(page) -> list[str]:
    found: list[str] = []
    page.on("console", lambda msg: found.append(msg.text) if msg.type == "error" else None)
    return found


def _enrol_totp(page, confirm_password: str | None = None) -> str:
    page.locator("#totp-setup-link").click()
    if confirm_password is not None:  # a first factor needs the password typed recently
        expect(page).to_have_url(re.compile(r"/account/security/confirm/"))
        page.get_by_label("Your password").fill(confirm_password)
        page.locator("#password-confirm-button").click()
    expect(page.locator("svg.totp-qr")).to_be_visible()
    secret = re.sub(r"\s", "", page.locator("#totp-secret").inner_text())
    page.get_by_label("6-digit code from your authenticator app").fill(totp_code(secret))
    page.locator("#totp-confirm-button").click()
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    page.locator("#recovery-done").click()
    return secret


def _add_passkey(page, name: str) -> None:
    page.get_by_label("Name for the new passkey").fill(name)
    page.locator("#passkey-register-button").click()
    expect(page.locator("#passkey-list")).to_contain_text(name)


def test_customer_enrols_totp_and_a_passkey_and_signs_in_with_each(page, live_store):
    errors = _errors_collected(page)
    _virtual_authenticator(page)
    base = live_store.base_url
    email = f"mfa.{secrets.token_hex(4)}@example.com"
    password = "seven quiet lanterns over the harbour"
    page.goto(base + "/account/signup/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Full name").fill("Emma Factor")
    page.get_by_label("Password", exact=True).fill("emma")
    expect(page.locator("#password-strength-text")).to_contain_text("at least")  # live advice
    page.get_by_label("Password", exact=True).fill(password)
    expect(page.locator("#password-strength-text")).to_contain_text("Good choice")
    page.get_by_label("Confirm password").fill(password)
    page.locator("#signup-button").click()
    page.goto(live_store.mail_link(email, "/account/confirm-email/"))
    expect(page.locator("#no-orders")).to_be_visible()

    page.goto(base + "/account/security/")
    # Signed in by the emailed link, not the password: the first factor asks for it.
    secret = _enrol_totp(page, confirm_password=password)
    _add_passkey(page, "Laptop passkey")

    def sign_in() -> None:
        page.get_by_role("button", name="Log out").click()
        page.goto(base + "/account/login/")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(password)
        page.locator("#login-button").click()
        expect(page).to_have_url(re.compile(r"/account/verify/"))

    sign_in()
    page.locator("#passkey-verify-button").click()
    expect(page.locator("#no-orders")).to_be_visible()
    sign_in()
    page.get_by_label("6-digit code from your authenticator app").fill(totp_code(secret))
    page.locator("#totp-button").click()
    expect(page.locator("#no-orders")).to_be_visible()
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_staff_enrols_totp_and_a_passkey_and_signs_in_with_each(page, live_store):
    errors = _errors_collected(page)
    _virtual_authenticator(page)
    base = live_store.base_url
    console_sign_in(page, live_store)  # password, then TOTP (enrolled the first time)
    assert console_totp_secret(live_store.owner_email)
    page.goto(base + "/account/security/")
    _add_passkey(page, "Office key")
    page.goto(base + "/console/")
    page.get_by_role("button", name=re.compile("Sign out|Log out")).first.click()

    page.goto(base + "/console/login/")
    page.get_by_label("Email").fill(live_store.owner_email)
    page.get_by_label("Password").fill(live_store.owner_password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/account/verify/"))
    page.locator("#passkey-verify-button").click()
    expect(page).to_have_url(re.compile(re.escape(base) + r"/console/$"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert not [e for e in errors if "Content Security Policy" in e], errors

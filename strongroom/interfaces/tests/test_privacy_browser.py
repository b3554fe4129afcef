"""The privacy journey in Chromium against a real `strongroom serve`: sign up agreeing to
marketing email, withdraw through the link in a marketing email (no sign-in), download
the data export (a fresh password first), and erase the account."""

from __future__ import annotations

import io
import json
import os
import re
import secrets
import subprocess
import sys
import zipfile

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("live-store")]

SEND = ("from strongroom.protection.accounts.models import User;"
        "from strongroom.protection.privacy.services import marketing_email_send;"
        "u = User.objects.get_by_natural_key({email!r});"
        "print(marketing_email_send(user=u, subject='Winter sale', body='20% off kettles.'))")


def _send_marketing(live_store, email: str) -> str:
    env = {**live_store.env, "STRONGROOM_PUBLIC_URL": live_store.base_url}
    done = subprocess.run([sys.executable, "-m", "strongroom", "shell", "-c",
                           SEND.format(email=email)], env=env, capture_output=True, text=True,
                          timeout=120, check=True)
    return done.stdout.strip().splitlines()[-1]  # after the shell's own banner


def test_signup_unsubscribe_export_and_erase(page, live_store):
    base = live_store.base_url
    email = f"journey.{secrets.token_hex(4)}@example.com"
    password = "nine amber kites above the pier"
    page.goto(base + "/account/signup/")
    expect(page.locator("#signup-privacy")).to_be_visible()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Full name").fill("Jules Journey")
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Confirm password").fill(password)
    consent = page.get_by_label(re.compile("Send me offers and news"))
    expect(consent).not_to_be_checked()  # opt-in: unticked by default
    consent.check()
    page.locator("#signup-button").click()
    page.goto(live_store.mail_link(email, "/account/confirm-email/"))

    assert _send_marketing(live_store, email) == "True"
    page.context.clear_cookies()  # the link works without signing in
    page.goto(live_store.mail_link(email, "/privacy/unsubscribe/"))
    page.locator("#unsubscribe-button").click()
    expect(page.locator("#unsubscribed")).to_be_visible()
    assert _send_marketing(live_store, email) == "False"  # no more marketing email

    page.goto(base + "/account/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.goto(base + "/account/privacy/")
    expect(page.locator("#consent-history")).to_contain_text("you withdrew")
    expect(page.locator("#consent-history")).to_contain_text("you agreed (sign-up form)")
    page.locator("#export-button").click()
    expect(page.locator(".export-download")).to_be_visible(timeout=30_000)
    with page.expect_download() as info:
        page.locator(".export-download").click()
    archive = zipfile.ZipFile(io.BytesIO(open(info.value.path(), "rb").read()))
    data = json.loads(archive.read("data.json"))
    assert data["account"]["email"] == email and data["account"]["name"] == "Jules Journey"
    assert "Jules Journey" in archive.read("index.html").decode()

    page.goto(base + "/account/privacy/")
    page.locator("#delete-account-link").click()
    page.get_by_label(re.compile("I understand")).check()
    page.locator("#delete-account-button").click()
    expect(page.locator("#account-erased")).to_be_visible()
    receipt = page.locator("#receipt-id").inner_text()
    ledger = live_store.command("privacy", "ledger").stdout
    assert re.fullmatch(r"[0-9a-f-]{36}", receipt)
    assert "1 erasures" in ledger and re.search(r"\bPR-[A-Z0-9]{8}\b", ledger)
    page.goto(base + "/account/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/account/login/"))
    assert os.path.exists(live_store.data_dir / "privacy" / "erasure-ledger.jsonl")

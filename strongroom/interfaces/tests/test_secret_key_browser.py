"""A routine secret-key rotation reaches the running store without a restart: the
command line (another process) rotates the data directory's key; `strongroom serve`'s
next request loads it (config.secretwatch), so the signed-in owner's session, verified
with the old key as a fallback, is moved to the new key (Django gives it a new id);
after the fallback is dropped the owner is still signed in, on the new key."""

import re

import pytest
from playwright.sync_api import expect

from strongroom.testing.accounts import console_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("live-store")]

SESSION_COOKIE = "__Host-sessionid"


def _session(page) -> str:
    return next(c["value"] for c in page.context.cookies() if c["name"] == SESSION_COOKIE)


def test_a_rotation_from_the_command_line_reaches_the_running_store(page, live_store):
    console_sign_in(page, live_store, next_path="/console/incidents/")
    page.goto(live_store.base_url + "/console/incidents/")
    form = page.locator("#incident-open")
    form.get_by_label("Title").fill("Routine secret key rotation")
    form.get_by_role("button", name="Open incident").click()
    heading = page.locator("h1")
    expect(heading).to_contain_text("INC-")
    number = re.search(r"INC-\d+", heading.inner_text()).group(0)
    incident_url = page.url
    before = _session(page)

    rotated = live_store.command("incidents", "secret-key", number, "--keep-days", "3")
    assert "the old one accepted until" in rotated.stdout
    page.goto(incident_url)
    expect(heading).to_contain_text(number)  # still signed in
    assert _session(page) != before  # verified with the fallback: moved to the new key
    expect(page.locator("#secret-key-fallbacks")).to_contain_text("Earlier keys still accepted")

    dropped = live_store.command("incidents", "secret-key", number, "--drop-fallbacks")
    assert "1 earlier secret keys refused" in dropped.stdout
    page.goto(incident_url)
    expect(heading).to_contain_text(number)  # the session is on the new key
    expect(page.locator("#secret-key-fallbacks")).to_have_count(0)
    expect(page.locator("#timeline")).to_contain_text("Dropped 1 earlier secret keys")

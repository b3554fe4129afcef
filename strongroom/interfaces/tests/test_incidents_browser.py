"""A breach drill in a real browser against `strongroom serve`: a canary planted from
the command line is opened in the console -> the high alert -> the incident (drafted by
the trip, reached from the alert) -> containment (an address range blocked) -> the
notices drafted -> the 72-hour clock -> the incident taken through to closed and the alert
acknowledged (the live store is shared with the other browser tests)."""

import re

import pytest
from playwright.sync_api import expect

from strongroom.testing.accounts import console_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("live-store")]

DOMAIN = "canary-drill.example"


def test_breach_drill_from_a_canary_to_drafted_notices(page, live_store):
    live_store.command("incidents", "canaries", "plant", "1", "--domain", DOMAIN)
    listed = live_store.command("incidents", "canaries", "list").stdout
    account = next(line.split()[0] for line in listed.splitlines() if DOMAIN in line)

    console_sign_in(page, live_store, next_path="/console/")
    # Routine browsing does not show the canary; opening it is the trip.
    page.goto(live_store.base_url + "/console/customers/")
    expect(page.locator(f"a[href*='{account}']")).to_have_count(0)
    page.goto(live_store.base_url + f"/console/customers/{account}/")
    expect(page.locator("h1")).to_be_visible()

    page.goto(live_store.base_url + "/console/security/alerts/")
    row = page.locator("tr[data-kind='canary.touched']").first
    expect(row).to_contain_text("Canary record touched: customer viewed by staff")
    expect(row).to_contain_text("High")
    row.get_by_role("button", name="Create incident").click()
    expect(page.locator("h1")).to_contain_text("INC-")
    incident_url = page.url
    expect(page.locator("#timeline")).to_contain_text("Incident opened from alert")
    expect(page.locator("#incident-clock")).to_contain_text("Tell the regulator by")

    # Containment: block an address range (TEST-NET-1: no other test comes from it).
    form = page.locator("#block-range")
    form.get_by_label("Address range").fill("192.0.2.0/24")
    form.get_by_role("button", name="Block (403)").click()
    expect(page.locator("#blocked-ranges")).to_contain_text("192.0.2.0/24")
    expect(page.locator("#timeline")).to_contain_text("Blocked 192.0.2.0/24 until")
    # Bad input is a clear form error, not a 500.
    form = page.locator("#block-range")
    form.get_by_label("Address range").fill("not-a-range")
    form.get_by_role("button", name="Block (403)").click()
    expect(page.locator("#incident-error")).to_contain_text("is not an address range")

    page.goto(incident_url)
    page.locator("#notices-link").click()
    expect(page.locator("#notice-customer textarea")).to_have_value(
        re.compile("Dear customer"))
    expect(page.locator("#notice-regulator textarea")).to_have_value(
        re.compile(r"Nature of the breach"))

    # Lift the block and take the drill through to closed, so later tests see no clock.
    page.goto(incident_url)
    page.locator("#blocked-ranges").get_by_role("button", name="Lift").click()
    for _ in range(5):
        page.locator("#incident-advance").click()
        page.wait_for_load_state()
    expect(page.locator("#incident-clock")).to_have_count(0)
    page.goto(live_store.base_url + "/console/security/alerts/")
    page.locator("tr[data-kind='canary.touched']").first.get_by_role(
        "button", name="Acknowledge").click()
    expect(page.locator("tr[data-kind='canary.touched']").first).to_contain_text(
        "acknowledged")

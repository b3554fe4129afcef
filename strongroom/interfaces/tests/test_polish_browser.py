"""Console and shop polish, seen in a real browser (issue 11, item 19): no console errors
(favicon), one line of console menu at 1280 px, the staff enrolment page in the console's
layout, the passkey name box styled like every other text box."""

import os
import re

import pytest
from playwright.sync_api import expect

from strongroom.testing.accounts import console_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("live-store")]
SHOTS = os.environ.get("STRONGROOM_SCREENSHOTS")  # a folder: save what the test saw


def _shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def _problems(page) -> list[str]:
    """Console errors and failed requests (a missing favicon is both)."""
    found: list[str] = []
    page.on("console", lambda msg: found.append(f"console: {msg.text}")
            if msg.type == "error" else None)
    page.on("response", lambda r: found.append(f"{r.status} {r.url}")
            if r.status >= 400 else None)
    return found


def test_a_shop_visit_has_no_console_errors_and_a_favicon(page, live_store):
    problems = _problems(page)
    page.goto(live_store.base_url + "/")
    page.wait_for_load_state("networkidle")
    page.goto(live_store.base_url + "/console/login/")
    page.wait_for_load_state("networkidle")
    icon = page.locator("link[rel=icon]").get_attribute("href")
    assert problems == []
    assert icon and page.goto(live_store.base_url + icon).ok


def test_console_menu_is_one_line_at_1280_px(page, live_store):
    page.set_viewport_size({"width": 1280, "height": 800})
    console_sign_in(page, live_store)
    page.goto(live_store.base_url + "/console/")
    _shot(page, "console-1280")
    tops = page.eval_on_selector_all(
        ".console-nav .bar > *", "els => els.map(e => Math.round(e.getBoundingClientRect().top"
        " + e.getBoundingClientRect().height / 2))")
    assert len(tops) >= 8  # brand, the owner's sections, name, sign out
    assert max(tops) - min(tops) <= 4, tops


def test_staff_security_page_is_the_consoles_and_the_passkey_box_is_styled(page, live_store):
    console_sign_in(page, live_store)
    page.goto(live_store.base_url + "/account/security/")
    _shot(page, "staff-security")
    expect(page.locator("body")).to_have_class(re.compile(r"\bconsole\b"))
    expect(page.locator(".console-nav")).to_be_visible()
    assert page.locator("#cart-count").count() == 0  # no shop header, no cart badge
    # The text-box rule of store.css (1px border, 8px corners), not the browser's default.
    border, radius = page.eval_on_selector(
        "#passkey-name", "e => [getComputedStyle(e).borderTopWidth, getComputedStyle(e)"
        ".borderTopLeftRadius]")
    assert (border, radius) == ("1px", "8px")

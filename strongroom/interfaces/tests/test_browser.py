"""End to end in a real browser (Debian's chromium via Playwright) against a real
`strongroom serve` over TLS, with the demo catalog loaded."""

import re
import secrets

import pytest
from playwright.sync_api import expect

from strongroom.testing.accounts import console_sign_in
from strongroom.testing.browser import checkout_address_fill

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("live-store")]


def _csp_violations(page) -> list[str]:
    found: list[str] = []
    page.on("console", lambda msg: found.append(msg.text)
            if "Content Security Policy" in msg.text else None)
    return found


def test_guest_browses_adds_to_cart_and_checks_out(page, live_store):
    violations = _csp_violations(page)
    page.goto(live_store.base_url + "/")
    expect(page).to_have_title(re.compile("Strongroom"))
    page.get_by_label("Search products").fill("yirgacheffe")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name=re.compile("Ethiopia Yirgacheffe")).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ethiopia Yirgacheffe")
    page.get_by_label("Quantity").fill("2")
    page.locator("#add-to-cart-button").click()
    expect(page.locator("#cart-count")).to_have_text("2")

    page.locator("#cart-link").click()
    expect(page.locator("#cart-lines")).to_contain_text("Ethiopia Yirgacheffe")
    page.locator("#checkout-link").click()

    checkout_address_fill(page, email="browser.guest@example.com", full_name="Brow Ser",
                          line1="1 Chromium Way", city="Berlin", postal_code="10115",
                          country="DE")
    page.locator("#shipping-express").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#checkout-total")).to_be_visible()
    page.locator("#place-order-button").click()
    # Off to the sandbox gateway's hosted payment page; the shopper comes back unpaid.
    expect(page).to_have_url(re.compile(re.escape(live_store.gateway_url) + "/pay/"))
    page.locator("#cancel-link").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Thank you")
    expect(page.locator("#order-status")).to_contain_text("Awaiting payment")
    expect(page.locator("#order-reference")).to_have_text(re.compile(r"^SR-[0-9A-Z]{12}$"))
    assert violations == []


def test_keyboard_reaches_the_add_to_cart_button(page, live_store):
    page.goto(live_store.base_url + "/p/stoneware-mug/")
    page.keyboard.press("Tab")  # the skip link comes first
    expect(page.locator(".skip-link")).to_be_focused()
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "add-to-cart-button":
            break
    expect(page.locator("#add-to-cart-button")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#cart-count")).to_have_text("1")


def test_sign_up_then_order_appears_in_history(page, live_store):
    email = f"shopper.{secrets.token_hex(4)}@example.com"
    password = "a long walk on the quiet beach " + secrets.token_hex(4)
    page.goto(live_store.base_url + "/")
    page.get_by_role("navigation", name="Account").get_by_role("link", name="Sign up").click()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Full name").fill("Sign Upton")
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Confirm password").fill(password)
    page.locator("#signup-button").click()
    expect(page.locator("#check-inbox")).to_be_visible()  # the mailbox is proven first
    page.goto(live_store.mail_link(email, "/account/confirm-email/"))
    expect(page.locator("#no-orders")).to_be_visible()

    page.goto(live_store.base_url + "/p/travel-tumbler/")
    page.locator("#add-to-cart-button").click()
    page.goto(live_store.base_url + "/checkout/")
    checkout_address_fill(page, line1="5 History Street", city="Vienna", postal_code="1010",
                          country="AT")
    page.get_by_role("button", name="Continue").click()
    page.locator("#place-order-button").click()
    page.locator("#cancel-link").click()  # back from the sandbox payment page, unpaid
    reference = page.locator("#order-reference").inner_text()

    page.get_by_role("navigation", name="Account").get_by_role(
        "link", name="Account", exact=True).click()
    expect(page.locator("#order-history")).to_contain_text(reference)

    # Log out and back in: the history is the account's, not the browser session's.
    page.get_by_role("button", name="Log out").click()
    page.get_by_role("navigation", name="Account").get_by_role("link", name="Log in").click()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.locator("#login-button").click()
    expect(page.locator("#order-history")).to_contain_text(reference)


def test_http_port_redirects_the_browser_to_https(page, live_store):
    page.goto(live_store.http_url + "/search/?q=mug")
    assert page.url.startswith(live_store.base_url + "/search/")
    expect(page.get_by_role("link", name=re.compile("Stoneware Mug")).first).to_be_visible()


def test_owner_signs_into_the_console_and_opens_an_order(page, live_store):
    page.goto(live_store.base_url + "/console/")
    assert "/console/login/" in page.url  # anonymous visitors are sent to the console login
    console_sign_in(page, live_store)  # password, then TOTP (enrolled on first sign-in)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.goto(live_store.base_url + "/console/orders/")
    page.locator("table a[href^='/console/orders/SR-']").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("SR-")
    page.goto(live_store.base_url + "/console/customers/")
    expect(page.locator("main")).to_contain_text("Ada Lovelace")

"""Payments end to end in a real browser, over HTTPS, against a live store with the sandbox
gateway running beside it (as `make run` starts them): pay on the hosted page with a
success card, be refused with a decline card, refund a paid order from the console."""

import re

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


def _checkout_to_gateway(page, live_store, product: str = "/p/travel-tumbler/") -> str:
    page.goto(live_store.base_url + product)
    page.locator("#add-to-cart-button").click()
    page.locator("#cart-link").click()
    page.locator("#checkout-link").click()
    checkout_address_fill(page, email="pay.browser@example.com", full_name="Pay Browser",
                          line1="2 Gateway Road", city="Paris", postal_code="75001",
                          country="FR")
    page.get_by_role("button", name="Continue").click()
    page.locator("#place-order-button").click()
    expect(page).to_have_url(re.compile("^" + re.escape(live_store.gateway_url) + "/pay/cs_"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Pay EUR")
    return page.url


def _type_card(page, number: str) -> None:
    amex = number.replace(" ", "").startswith(("34", "37"))
    page.get_by_label("Card number").fill(number)
    page.get_by_label("Expiry (MM/YY)").fill("12/34")
    page.get_by_label("Security code (CVC)").fill("1234" if amex else "123")
    page.locator("#pay-button").click()


def _pay(page, live_store) -> str:
    _checkout_to_gateway(page, live_store)
    _type_card(page, "4242 4242 4242 4242")
    expect(page).to_have_url(re.compile(re.escape(live_store.base_url) + r"/order/SR-"))
    expect(page.locator("#payment-state")).to_contain_text("Paid with Visa ending 4242")
    expect(page.locator("#order-status")).to_have_text("Paid")
    return page.locator("#order-reference").inner_text()


def test_shopper_pays_on_the_hosted_page_with_a_success_card(page, live_store):
    violations = _csp_violations(page)
    _pay(page, live_store)
    assert violations == []


def test_shopper_is_refused_with_a_decline_card(page, live_store):
    violations = _csp_violations(page)
    _checkout_to_gateway(page, live_store)
    _type_card(page, "4000 0000 0000 0002")
    expect(page.locator("#payment-error")).to_contain_text("declined")
    expect(page.get_by_label("Card number")).to_have_value("")  # never echoed back
    page.locator("#cancel-link").click()
    expect(page).to_have_url(re.compile(re.escape(live_store.base_url) + r"/order/SR-"))
    expect(page.locator("#payment-state")).to_contain_text("Payment declined")
    expect(page.locator("#order-status")).to_have_text("Awaiting payment")
    assert violations == []


def test_paid_order_is_refunded_from_the_console(page, live_store):
    reference = _pay(page, live_store)
    console_sign_in(page, live_store)  # password + TOTP: refunds need a fresh MFA
    page.goto(f"{live_store.base_url}/console/orders/{reference}/")
    expect(page.locator("#payment-status")).to_have_text("Captured")
    page.get_by_label("Reason (optional)").fill("browser test")
    page.locator("#refund-button").click()
    expect(page.locator("#payment-status")).to_have_text("Refunded")
    expect(page.locator("#refund-list")).to_contain_text("Succeeded")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Refunded")

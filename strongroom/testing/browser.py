"""Playwright steps shared by the browser tests."""

from __future__ import annotations


def checkout_address_fill(page, *, line1: str, city: str, postal_code: str, country: str,
                          email: str | None = None, full_name: str | None = None) -> None:
    """Checkout step 1. Email and name are left alone when not given (a signed-in
    customer's are filled in already)."""
    if email is not None:
        page.get_by_label("Email").fill(email)
    if full_name is not None:
        page.get_by_label("Full name").fill(full_name)
    page.get_by_label("Address", exact=True).fill(line1)
    page.get_by_label("City").fill(city)
    page.get_by_label("Postal code").fill(postal_code)
    page.get_by_label("Country").select_option(country)
    page.locator("#continue-button").click()

"""Card checks and the test-card table. Pure functions: no I/O, time passed in.

The sandbox keeps a card number only for the length of the request that checks it: what
it stores is the brand, last four digits and expiry, like the store."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

# Stripe's documented test numbers (https://docs.stripe.com/testing), same behaviour.
SUCCESS = "success"
REQUIRES_ACTION = "requires_action"
TEST_CARDS: dict[str, tuple[str, str]] = {
    "4242424242424242": (SUCCESS, ""),
    "4000056655665556": (SUCCESS, ""),  # Visa debit
    "5555555555554444": (SUCCESS, ""),
    "2223003122003222": (SUCCESS, ""),
    "378282246310005": (SUCCESS, ""),
    "6011111111111117": (SUCCESS, ""),
    "4000000000000002": ("card_declined", "Your card was declined."),
    "4000000000009995": ("insufficient_funds", "Your card has insufficient funds."),
    "4000000000000069": ("expired_card", "Your card has expired."),
    "4000000000000119": ("processing_error",
                         "An error occurred while processing your card. Try again."),
    "4000000000003220": (REQUIRES_ACTION, ""),
}
# Named test cards for the server-side test helper (Stripe's ``pm_card_visa`` idea): the
# demo pays without any card number crossing the store.
TEST_TOKENS = {
    "visa": "4242424242424242", "mastercard": "5555555555554444",
    "declined": "4000000000000002", "insufficient_funds": "4000000000009995",
    "expired": "4000000000000069", "processing_error": "4000000000000119",
}
_EXPIRY = re.compile(r"^\s*(\d{1,2})\s*/\s*(\d{2}|\d{4})\s*$")


@dataclass(frozen=True)
class Card:
    brand: str
    last4: str
    exp_month: int
    exp_year: int
    outcome: str  # SUCCESS, REQUIRES_ACTION or a decline code
    message: str  # what the shopper is told when declined


class CardInvalid(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = ord(ch) - 48
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def brand_of(digits: str) -> str:
    if digits.startswith("4"):
        return "visa"
    if digits[:2] in {"34", "37"}:
        return "amex"
    if 51 <= int(digits[:2]) <= 55 or 2221 <= int(digits[:4]) <= 2720:
        return "mastercard"
    if digits.startswith(("6011", "65")):
        return "discover"
    return "unknown"


def card_check(*, number: str, expiry: str, cvc: str, today: date) -> Card:
    """Validate what the shopper typed; raise CardInvalid naming the field at fault."""
    digits = re.sub(r"[ -]", "", number or "")
    if not digits.isdigit() or not 13 <= len(digits) <= 19 or not luhn_ok(digits):
        raise CardInvalid("number", "Your card number is invalid.")
    match = _EXPIRY.match(expiry or "")
    if not match:
        raise CardInvalid("expiry", "Enter the expiry date as MM/YY.")
    month, year = int(match.group(1)), int(match.group(2))
    year = year + 2000 if year < 100 else year
    if not 1 <= month <= 12:
        raise CardInvalid("expiry", "The expiry month must be between 01 and 12.")
    if (year, month) < (today.year, today.month):
        raise CardInvalid("expiry", "Your card's expiry date is in the past.")
    if year > today.year + 20:
        raise CardInvalid("expiry", "Your card's expiry year is invalid.")
    brand = brand_of(digits)
    if not (cvc or "").isdigit() or len(cvc) != (4 if brand == "amex" else 3):
        raise CardInvalid("cvc", "Your card's security code is invalid.")
    outcome, message = TEST_CARDS.get(
        digits, ("card_declined", "Your card was declined: this sandbox accepts only test "
                                  "cards (see the list on this page)."))
    return Card(brand=brand, last4=digits[-4:], exp_month=month, exp_year=year,
                outcome=outcome, message=message)

"""Minor units by ISO 4217 exponent: JPY has none, KWD and BHD have three; what the minor
unit cannot express is refused, never rounded."""

from __future__ import annotations

from decimal import Decimal

import pytest

from strongroom.commerce import money


@pytest.mark.parametrize("amount, currency, minor", [
    ("15.95", "EUR", 1595), ("1000", "JPY", 1000), ("1000.00", "JPY", 1000),
    ("12.35", "KWD", 12350), ("0.5", "BHD", 500), ("7", "CLP", 7), ("0.01", "USD", 1),
])
def test_to_and_from_minor_use_the_iso_exponent(amount, currency, minor):
    assert money.to_minor(Decimal(amount), currency) == minor
    assert money.from_minor(minor, currency) == Decimal(amount)


@pytest.mark.parametrize("amount, currency", [("0.5", "JPY"), ("1.001", "EUR"),
                                              ("0.0001", "KWD"), ("NaN", "EUR")])
def test_amounts_the_minor_unit_cannot_express_are_refused_not_rounded(amount, currency):
    with pytest.raises(money.MoneyError):
        money.to_minor(Decimal(amount), currency)


@pytest.mark.parametrize("code", ["XXX", "XAU", "ABC", "", "EURO", "CLF"])
def test_unknown_currencies_are_refused(code):
    with pytest.raises(money.MoneyError):
        money.currency_check(code)

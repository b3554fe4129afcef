"""One money format everywhere: ``EUR 147.70``, never SQLite's ``147.700000000000 EUR``."""

from decimal import Decimal

import pytest
from django.template import Context, Template

from strongroom.interfaces.web.templatetags.moneyformat import money_format


@pytest.mark.parametrize(("value", "currency", "shown"), [
    (Decimal("147.700000000000"), "EUR", "EUR 147.70"),
    ("15.95", "eur", "EUR 15.95"),
    (Decimal("1234.5"), "USD", "USD 1,234.50"),
    (Decimal("1000.000000"), "JPY", "JPY 1,000"),
    (Decimal("1.2345"), "KWD", "KWD 1.235"),
    (Decimal("0.005"), "EUR", "EUR 0.01"),
    (None, "EUR", ""), ("", "EUR", ""), ("abc", "EUR", ""), ("NaN", "EUR", ""),
])
def test_amounts_are_rounded_to_the_currency_minor_unit(value, currency, shown):
    assert money_format(value, currency) == shown


def test_the_shop_and_the_console_load_the_same_filter():
    shop = Template("{% load storefront %}{{ v|money:'EUR' }}").render(Context({"v": "3.5"}))
    console = Template("{% load moneyformat %}{{ v|money:'EUR' }}").render(
        Context({"v": "3.5"}))
    assert shop == console == "EUR 3.50"

"""One way to show an amount of money, in the shop and the console: ``EUR 15.95``.

The amount is rounded to the currency's minor unit (ISO 4217 exponent: 2 for EUR, 0 for
JPY, 3 for KWD) with ``Decimal.quantize``, so a database that hands back
``147.700000000000`` (SQLite's sums) still shows ``EUR 147.70``, and a yen price shows no
decimals. Load with ``{% load moneyformat %}``; ``{{ order.total|money:order.currency }}``.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.conf import settings

register = template.Library()

# ISO 4217 currencies whose minor unit is not 1/100. The commerce money module is
# the authority for amounts sent to gateways; this table only decides what is shown.
EXPONENTS: dict[str, int] = {
    **dict.fromkeys(("BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF",
                     "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF"), 0),
    **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
    "CLF": 4, "UYW": 4,
}


def currency_exponent(currency: str) -> int:
    return EXPONENTS.get(currency.upper(), 2)


def money_format(value: object, currency: str | None = None) -> str:
    """``EUR 1,234.50``; an empty string for anything that is not a number."""
    code = (currency or settings.STRONGROOM_CURRENCY).upper()
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value))
        if not amount.is_finite():
            return ""
        exponent = currency_exponent(code)
        amount = amount.quantize(Decimal(1).scaleb(-exponent), rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return ""
    return f"{code} {amount:,.{exponent}f}"


register.filter("money", money_format)

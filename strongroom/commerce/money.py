"""Money in a gateway's minor units, by ISO 4217 exponent: the one place that knows a yen
has no cents and a Kuwaiti dinar has 1000 fils. Every gateway adapter converts through
here, and the catalog and refunds ask it how many decimals a price may have. It sits below
every commerce app and imports none of them.

The bug this prevents: multiplying by 100 for every currency charges a JPY shopper 100×
(1,000 JPY sent as ``unit_amount: 100000``) and a KWD shopper a tenth. An amount that
cannot be written exactly in the currency's minor unit (0.5 JPY) is refused, never
rounded: rounding money silently is how totals and charges drift apart.

Stored amounts have two decimal places (``DecimalField(decimal_places=2)``), so a store
pricing in a three-decimal currency can set prices in steps of 10 fils/baisa; the
conversion is still exact. Currencies with four decimals (units of account such as CLF)
and codes with no minor unit (gold, test codes) cannot be a store's currency.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

# ISO 4217 (list one, current codes) → minor-unit exponent. Everything not listed below
# the table's exceptions has two decimals.
_TWO = (
    "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN "
    "BWP BYN BZD CAD CDF CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB "
    "EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS "
    "KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN "
    "MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD "
    "SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS "
    "UAH USD USN UYU UZS VED VES WST XCD XCG YER ZAR ZMW ZWG"
)
_ZERO = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"
_THREE = "BHD IQD JOD KWD LYD OMR TND"

EXPONENTS: dict[str, int] = {
    **{code: 2 for code in _TWO.split()},
    **{code: 0 for code in _ZERO.split()},
    **{code: 3 for code in _THREE.split()},
}
STORED_PLACES = 2  # decimal places of every stored amount (prices, totals, payments)


class MoneyError(ValueError):
    """An unknown currency, or an amount its minor unit cannot express exactly."""


def currency_check(currency: str) -> str:
    """The upper-cased code if the store can sell in it, else MoneyError (one line)."""
    code = str(currency or "").strip().upper()
    if code not in EXPONENTS:
        raise MoneyError(f"{code or '(empty)'} is not an ISO 4217 currency the store knows")
    return code


def exponent(currency: str, *, overrides: dict[str, int] | None = None) -> int:
    """Minor-unit exponent: 2 for EUR, 0 for JPY, 3 for KWD. ``overrides`` lets a gateway
    state where it departs from ISO 4217 (documented by that gateway)."""
    code = currency_check(currency)
    if overrides and code in overrides:
        return overrides[code]
    return EXPONENTS[code]


def places(currency: str) -> int:
    """Decimal places a price in ``currency`` may have here: its exponent, at most the
    stored two (JPY: 0, EUR: 2, KWD: 2)."""
    return min(exponent(currency), STORED_PLACES)


def to_minor(amount: Decimal | int | str, currency: str, *,
             overrides: dict[str, int] | None = None) -> int:
    """``Decimal("1000")`` JPY → 1000; ``Decimal("12.35")`` KWD → 12350; EUR 15.95 → 1595.
    Refuses (MoneyError) an amount with more decimals than the minor unit has."""
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        raise MoneyError(f"{amount!r} is not an amount") from None
    if not value.is_finite():
        raise MoneyError(f"{amount!r} is not an amount")
    minor = value.scaleb(exponent(currency, overrides=overrides))
    if minor != minor.to_integral_value():
        raise MoneyError(f"{value} {currency} has more decimals than the currency's minor unit")
    return int(minor)


def from_minor(amount: int, currency: str, *, overrides: dict[str, int] | None = None) -> Decimal:
    """1000 JPY → ``Decimal("1000")``; 12350 KWD → ``Decimal("12.350")``; 1595 EUR → 15.95.
    Exact: compare it with a stored amount by value (``Decimal("1000") == 1000.00``)."""
    if isinstance(amount, bool) or not isinstance(amount, int | str):
        raise MoneyError(f"{amount!r} is not a whole number of minor units")
    try:
        whole = int(amount)
    except ValueError:
        raise MoneyError(f"{amount!r} is not a whole number of minor units") from None
    places_ = exponent(currency, overrides=overrides)
    return Decimal(whole).scaleb(-places_).quantize(Decimal(1).scaleb(-places_))

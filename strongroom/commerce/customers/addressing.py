"""The one set of rules for a postal address, shared by checkout and saved addresses."""

from __future__ import annotations

import re
from collections.abc import Mapping

from strongroom.errors import ApplicationError

# ISO 3166-1 alpha-2 codes the store ships to (an address elsewhere is refused).
COUNTRIES: dict[str, str] = {
    "AT": "Austria", "AU": "Australia", "BE": "Belgium", "BG": "Bulgaria", "CA": "Canada",
    "CH": "Switzerland", "CY": "Cyprus", "CZ": "Czechia", "DE": "Germany", "DK": "Denmark",
    "EE": "Estonia", "ES": "Spain", "FI": "Finland", "FR": "France", "GB": "United Kingdom",
    "GR": "Greece", "HR": "Croatia", "HU": "Hungary", "IE": "Ireland", "IS": "Iceland",
    "IT": "Italy", "JP": "Japan", "LT": "Lithuania", "LU": "Luxembourg", "LV": "Latvia",
    "MT": "Malta", "NL": "Netherlands", "NO": "Norway", "NZ": "New Zealand", "PL": "Poland",
    "PT": "Portugal", "RO": "Romania", "SE": "Sweden", "SI": "Slovenia", "SK": "Slovakia",
    "US": "United States",
}

ADDRESS_LIMITS = {"full_name": 150, "line1": 200, "line2": 200, "city": 100,
                  "postal_code": 20, "country": 2, "phone": 32}
ADDRESS_REQUIRED = ("full_name", "line1", "city", "postal_code", "country")
PHONE = re.compile(r"^\+?[0-9 ()./-]{6,32}$")


def field_label(name: str) -> str:
    return name.replace("_", " ").replace("line1", "address").capitalize()


def address_values_clean(
    raw: Mapping[str, object], *, error: type[ApplicationError],
    limits: Mapping[str, int] = ADDRESS_LIMITS, required: tuple[str, ...] = ADDRESS_REQUIRED,
) -> dict[str, str]:
    """Trimmed values, country upper-cased; raises ``error`` naming the first bad field.

    NUL bytes count as too long: PostgreSQL refuses them, which would otherwise be a 500."""
    values = {name: str(value or "").strip() for name, value in raw.items()}
    values["country"] = values["country"].upper()
    for name, limit in limits.items():
        if len(values[name]) > limit or "\x00" in values[name]:
            raise error(f"{field_label(name)} is too long (at most {limit} characters).",
                        field=name)
    for name in required:
        if not values[name]:
            raise error(f"{field_label(name)} is required.", field=name)
    if values["country"] not in COUNTRIES:
        raise error("We do not ship to that country.", field="country")
    if values["phone"] and not PHONE.match(values["phone"]):
        raise error("Enter a valid phone number.", field="phone")
    return values

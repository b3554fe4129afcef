"""The data inventory (GDPR Art. 30 record of processing), declared in code beside each app.

Every installed app with models has a ``privacy.py`` module that classifies EVERY concrete
field of its models with ``declare(...)``: a fideslang data category, the purpose, the
legal basis, how long it is kept, and where copies of it go:

    from strongroom.inventory import Use, declare

    declare("orders.Order", ORDER,
            personal={"email": "user.contact.email", "full_name": "user.name"},
            system=["id", "reference", "status"])

``personal`` maps field -> category (must not be ``system.*``); ``system`` lists fields
that hold no personal data (category ``system.operations``). A field may be given its
own ``Use`` with ``uses={"field": Use(...)}``.

This module is the declaration registry and its vocabulary only, at the bottom of the
layers so that every app can declare (it imports nothing of the store). The privacy app,
which sits above the apps it reaches, reads it back (``privacy/inventory.py``: Django's
own apps in ``privacy/fallback.py``, ``privacy.E001`` on any field nobody classified,
the generated privacy policy).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

PURPOSES: dict[str, str] = {
    "account": "Running your customer account: sign-in, profile and saved addresses",
    "orders": "Taking, shipping and supporting your orders",
    "payments": "Taking payment through our payment provider (we never see your card number)",
    "accounting": "Keeping the accounting records the law requires",
    "security": "Protecting your account and the store: sign-in security, abuse prevention "
                "and a tamper-evident record of who looked at customer data",
    "marketing": "Sending offers and news by email, only if you said yes",
    "privacy": "Answering your privacy requests and proving what you agreed to",
    "staff": "Running the accounts of the store's staff",
    "operations": "Running the store (catalog, stock, configuration): no personal data",
}

BASES: dict[str, str] = {
    "consent": "your consent (GDPR Art. 6(1)(a)); you can withdraw it at any time",
    "contract": "to perform our contract with you (GDPR Art. 6(1)(b))",
    "legal_obligation": "a legal obligation (GDPR Art. 6(1)(c))",
    "legitimate_interests": "our legitimate interest in keeping accounts and the store secure "
                            "(GDPR Art. 6(1)(f))",
    "none": "not personal data",
}

# Retention rules; the periods come from the store's settings (privacy/conf.py) and the
# sweep (privacy/retention.py) enforces the ones it names.
RETENTION: dict[str, str] = {
    "account": "while your account is open; an account unused for {inactive_years} years is "
               "closed and erased after a notice",
    "orders": "{order_years} years after the order (the legal accounting period); after that "
              "the personal details of guest orders are erased, amounts and dates are kept",
    "carts": "{cart_days} days after the cart was last changed",
    "sessions": "{session_days} days after the session was last used",
    "audit": "at least 12 months (PCI DSS 10.5.1), append-only; personal details in it are "
             "encrypted and erased with your account",
    "short": "minutes to hours (expiring counters and one-time links)",
    "exports": "until downloaded, at most 7 days",
    "consent": "as long as the account exists, then as proof without personal details",
    "ledger": "permanently, without personal details (so erasure survives a backup restore)",
    "operational": "as long as the store needs it",
}

COPIES: dict[str, str] = {
    "database": "the store's database",
    "backups": "encrypted backups",
    "logs": "application logs",
    "mail": "email sent to you",
    "gateway": "the payment provider",
    "browser": "your browser (essential cookies only)",
    "files": "the store's data directory",
}


@dataclass(frozen=True)
class Use:
    purpose: str
    basis: str
    retention: str
    copies: tuple[str, ...] = ("database", "backups")


OPERATIONAL = Use("operations", "none", "operational")


@dataclass(frozen=True)
class Row:
    """One classified field."""

    model: str  # "app_label.ModelName"
    field: str
    category: str
    use: Use

    @property
    def personal(self) -> bool:
        return category_is_personal(self.category)


def category_is_personal(key: str) -> bool:
    """``system.*`` categories describe the system, not a person."""
    return not (key == "system" or key.startswith("system."))


# (model label, field) -> its classification; read through ``declarations()``.
_declared: dict[tuple[str, str], Row] = {}


def declare(label: str, use: Use, *, personal: dict[str, str] | None = None,
            system: Iterable[str] = (), uses: dict[str, Use] | None = None) -> None:
    """Classify fields of model ``label``. Idempotent (a module imported twice)."""
    uses = uses or {}
    for name, category in (personal or {}).items():
        _declared[(label, name)] = Row(label, name, category, uses.get(name, use))
    for name in system:
        _declared[(label, name)] = Row(label, name, "system.operations", uses.get(name, use))


def declarations() -> Mapping[tuple[str, str], Row]:
    """Every declaration so far, keyed by (model label, field); read-only."""
    return MappingProxyType(_declared)

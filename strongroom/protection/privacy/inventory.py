"""The data inventory (GDPR Art. 30 record of processing), declared in code beside each app.

Every installed app with models has a ``privacy.py`` module that classifies EVERY concrete
field of its models with ``declare(...)``: a fideslang data category, the purpose, the
legal basis, how long it is kept, and where copies of it go. Django's own apps and any
third-party app are classified in ``fallback.py`` here. ``privacy.E001`` (checks.py) fails
on any field nobody classified, so a new field or a new app cannot ship unnoticed: the
privacy policy (generated from this) would otherwise silently under-describe what the
store keeps.

    declare("orders.Order", ORDER,
            personal={"email": "user.contact.email", "full_name": "user.name"},
            system=["id", "reference", "status"])

``personal`` maps field -> category (must not be ``system.*``); ``system`` lists fields
that hold no personal data (category ``system.operations``). A field may be given its
own ``Use`` with ``uses={"field": Use(...)}``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.apps import apps
from django.db import models

from .taxonomy import category_is_personal

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

# Retention rules; the periods come from the store's settings (conf.py) and the sweep
# (retention.py) enforces the ones it names.
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


_declared: dict[tuple[str, str], Row] = {}


def declare(label: str, use: Use, *, personal: dict[str, str] | None = None,
            system: Iterable[str] = (), uses: dict[str, Use] | None = None) -> None:
    """Classify fields of model ``label``. Idempotent (a module imported twice)."""
    uses = uses or {}
    for name, category in (personal or {}).items():
        _declared[(label, name)] = Row(label, name, category, uses.get(name, use))
    for name in system:
        _declared[(label, name)] = Row(label, name, "system.operations", uses.get(name, use))


def inventory_load() -> None:
    """Import every installed app's ``privacy`` module and the fallback table."""
    from django.utils.module_loading import autodiscover_modules

    from . import fallback  # noqa: F401 - registers Django's and third-party apps

    autodiscover_modules("privacy")


def model_fields(model: type[models.Model]) -> list[str]:
    """The fields that need a classification: every concrete (stored) field and every
    many-to-many field of a model that is not created by Django behind the scenes."""
    meta = model._meta
    return [f.name for f in meta.concrete_fields] + [f.name for f in meta.many_to_many]


def classified_models() -> list[type[models.Model]]:
    """Every installed model that owns a table (proxies share their parent's); the
    many-to-many tables Django creates are covered by the field that declares them.
    A model that is never part of a running store (a benchmark's twin table) opts out
    only by saying why in ``privacy_exempt``, where a reviewer sees it."""
    return [m for m in apps.get_models()
            if not m._meta.proxy and not getattr(m, "privacy_exempt", "")]


def inventory_rows() -> list[Row]:
    """Every field of every installed model, classified, in model order. Unclassified
    fields are missing here and listed by ``inventory_missing``."""
    inventory_load()
    rows = []
    for model in classified_models():
        for name in model_fields(model):
            row = _declared.get((model._meta.label, name))
            if row is not None:
                rows.append(row)
    return rows


def inventory_missing() -> list[tuple[str, str]]:
    """(model label, field) of every field nobody classified."""
    inventory_load()
    return [(m._meta.label, name) for m in classified_models() for name in model_fields(m)
            if (m._meta.label, name) not in _declared]


def inventory_invalid() -> list[str]:
    """Declarations naming an unknown category, purpose, basis, retention or copy, or
    calling a ``system.*`` category personal data (one line each)."""
    from .taxonomy import category_valid

    inventory_load()
    problems = []
    for (label, name), row in sorted(_declared.items()):
        where = f"{label}.{name}"
        if not category_valid(row.category):
            problems.append(f"{where}: {row.category!r} is not a fideslang data category")
        if row.use.purpose not in PURPOSES:
            problems.append(f"{where}: unknown purpose {row.use.purpose!r}")
        if row.use.basis not in BASES:
            problems.append(f"{where}: unknown legal basis {row.use.basis!r}")
        if row.use.retention not in RETENTION:
            problems.append(f"{where}: unknown retention {row.use.retention!r}")
        problems += [f"{where}: unknown copy {c!r}" for c in row.use.copies if c not in COPIES]
        if row.personal and row.use.basis == "none":
            problems.append(f"{where}: personal data ({row.category}) needs a legal basis")
    return problems

"""Small factories for tests: real rows through the real services."""

from __future__ import annotations

import itertools
import secrets
from decimal import Decimal

from strongroom.commerce.catalog.models import Product
from strongroom.commerce.catalog.services import category_create, product_create
from strongroom.commerce.orders.services import CheckoutDetails
from strongroom.protection.accounts.services import user_create

_seq = itertools.count(1)


def product_make(*, name: str | None = None, price: str = "10.00", stock: int = 10,
                 category=None, variants: int = 1) -> Product:
    n = next(_seq)
    return product_create(
        name=name or f"Test product {n}",
        description="A thing for tests.",
        category=category,
        variants=[
            {"sku": f"SKU-{n}-{i}", "price": Decimal(price), "stock": stock,
             "name": f"Size {i}" if variants > 1 else ""}
            for i in range(variants)
        ],
    )


def category_make(name: str | None = None):
    return category_create(name=name or f"Category {next(_seq)}")


def user_make(*, email: str | None = None, password: str = "correct horse battery staple",
              staff: bool = False, full_name: str = "Test Person"):
    return user_create(email=email or f"person{next(_seq)}@example.test", password=password,
                       full_name=full_name, is_staff=staff)


def details_make(**overrides) -> CheckoutDetails:
    values = {"email": "guest@example.test", "full_name": "Gus Guest", "line1": "1 High Street",
              "city": "Springfield", "postal_code": "12345", "country": "DE", "phone": ""}
    values.update(overrides)
    return CheckoutDetails(**values)


def canaries_make(tag: str) -> dict[str, str]:
    """Unique, recognisable personal details (mixed case) for tests that search raw bytes
    (a database file, a dump) for any trace of them."""
    c = secrets.token_hex(5)
    return {
        "email": f"Canary.{tag}.{c}@Example.TEST",
        "full_name": f"Quokka{tag} Zebulon{c}",
        "line1": f"77 Marzipanweg {tag}{c}",
        "line2": f"Hinterhaus {tag}x{c}",
        "city": f"Kanarienstadt{tag}{c}",
        "postal_code": f"QX{c[:6].upper()}",
        "phone": f"+49 170 {secrets.randbelow(10**7):07d}",
        "country": "DE",
    }

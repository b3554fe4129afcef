"""Small factories for tests: real rows through the real services."""

from __future__ import annotations

import itertools
from decimal import Decimal

from strongroom.commerce.catalog.models import Product
from strongroom.commerce.catalog.services import category_create, product_create
from strongroom.commerce.orders.services import CheckoutDetails

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
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(
        email=email or f"person{next(_seq)}@example.test", password=password,
        full_name=full_name, is_staff=staff,
    )


def details_make(**overrides) -> CheckoutDetails:
    values = {"email": "guest@example.test", "full_name": "Gus Guest", "line1": "1 High Street",
              "city": "Springfield", "postal_code": "12345", "country": "DE", "phone": ""}
    values.update(overrides)
    return CheckoutDetails(**values)

"""Customers with recognisable ("canary") data in every app, for export and erasure tests."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from strongroom.commerce.cart import services as cart_services
from strongroom.commerce.checkout import services as order_services
from strongroom.commerce.customers.services import AddressDetails, address_create
from strongroom.commerce.payments.models import Payment
from strongroom.testing.factories import canaries_make, details_make, product_make, user_make


def canary_customer(tag: str, *, orders: int = 2, variant: Any = None,
                    card_last4: str = "4242") -> tuple[Any, dict[str, str], list[Any]]:
    values = canaries_make(tag)
    user = user_make(email=values["email"], full_name=values["full_name"])
    address_create(user=user, details=AddressDetails(
        full_name=values["full_name"], line1=values["line1"], line2=values["line2"],
        city=values["city"], postal_code=values["postal_code"], country="DE",
        phone=values["phone"]))
    variant = variant or product_make(price="12.50", stock=10_000).variants.get()
    placed = []
    for _ in range(orders):
        cart, _token = cart_services.cart_create()
        cart_services.cart_line_set(cart=cart, variant_id=variant.pk, quantity=2)
        order, _start = order_services.order_place(
            cart=cart, shipping_method="standard", user=user,
            details=details_make(**{k: values[k] for k in (
                "email", "full_name", "line1", "line2", "city", "postal_code", "phone")}))
        Payment.objects.create(order=order, gateway="sandbox", status="succeeded",
                               amount=order.total, currency=order.currency, card_brand="visa",
                               card_last4=card_last4, card_exp_month=12, card_exp_year=2031)
        placed.append(order)
    return user, values, placed


def needles(values: dict[str, str]) -> dict[str, str]:
    """What must (or must not) be found: every canary, lower-cased."""
    return {k: v.lower() for k, v in values.items() if k != "country"}


def totals(orders: list[Any]) -> list[tuple[str, Decimal, Decimal, Decimal, str]]:
    from strongroom.commerce.orders.models import Order

    rows = Order.objects.filter(pk__in=[o.pk for o in orders]).order_by("reference")
    return [(o.reference, o.subtotal, o.shipping_total, o.total, o.currency) for o in rows]

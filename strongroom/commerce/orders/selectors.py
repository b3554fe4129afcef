from __future__ import annotations

from django.db.models import QuerySet

from .errors import OrderNotFound
from .models import Order


def order_list_for_user(*, user) -> QuerySet[Order]:
    return Order.objects.filter(user=user).prefetch_related("lines")


def order_get_for_user(*, user, reference: str) -> Order:
    """The customer's own order; anyone else's reads as not found (no IDOR oracle)."""
    order = Order.objects.filter(user=user, reference=reference[:20]).first()
    if order is None:
        raise OrderNotFound("No such order.")
    return order


def order_get_by_reference(*, reference: str) -> Order:
    """Unscoped lookup: only for callers that have done their own authorization."""
    order = Order.objects.filter(reference=reference[:20]).first()
    if order is None:
        raise OrderNotFound("No such order.")
    return order


def order_list(*, status: str | None = None) -> QuerySet[Order]:
    orders = Order.objects.select_related("user")
    if status:
        orders = orders.filter(status=status)
    return orders

"""An order's history as sentences ("Order placed by the customer (awaiting payment)"),
not as its internal fields ("Placed pending by …")."""

from __future__ import annotations

from django import template

from strongroom.commerce.orders.models import OrderStatus

register = template.Library()

KIND_WORDS = {
    "placed": "Order placed",
    "status": "Status changed",
    "paid": "Payment received",
    "refunded": "Refunded",
}


def _status(value: str) -> str:
    try:
        return str(OrderStatus(value).label).lower()
    except ValueError:
        return value.replace("_", " ")


def _who(event, order) -> str:
    if event.actor_id is None:
        if event.kind == "placed":
            return "by a guest" if order.user_id is None else "by the customer"
        return "by the store (automatic)"
    if event.actor_id == order.user_id:
        return "by the customer"
    return f"by {event.actor}"


@register.simple_tag
def order_event_text(event, order) -> str:
    """One line for an OrderEvent: what happened, the status move, and who did it."""
    what = KIND_WORDS.get(event.kind, event.kind.replace("_", " ").capitalize())
    if event.from_status and event.to_status:
        move = f": {_status(event.from_status)} → {_status(event.to_status)}"
    elif event.to_status:
        move = f" ({_status(event.to_status)})"
    else:
        move = ""
    return f"{what} {_who(event, order)}{move}"

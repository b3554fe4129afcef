"""Order writes: creating an order from a cart, and moving it through its lifecycle.

This app knows nothing of payments. ``commerce.checkout`` places an order (``order_create``
here, then the payment) in one transaction, and ``commerce.payments`` drives a paid or
refunded order through ``order_mark_paid`` / ``order_mark_refunded`` below."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, fields

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F

from strongroom.commerce.cart.models import Cart
from strongroom.commerce.catalog.cache import catalog_changed
from strongroom.commerce.catalog.models import Variant
from strongroom.commerce.customers.addressing import (
    ADDRESS_LIMITS,
    ADDRESS_REQUIRED,
    address_values_clean,
)
from strongroom.protection.audit.events import Actor, AuditEvent
from strongroom.protection.audit.services import audit_record
from strongroom.protection.mailer.services import mail_queue
from strongroom.protection.vault.services import subject_create

from .errors import CheckoutError, InvalidTransition, OutOfStock
from .models import Order, OrderEvent, OrderLine, OrderStatus
from .shipping import SHIPPING_METHODS

# Crockford's base32 without look-alikes: 12 symbols = 60 random bits per reference.
_REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

S = OrderStatus
TRANSITIONS: dict[str, set[str]] = {
    S.PENDING: {S.PAID, S.CANCELLED},
    S.PAID: {S.FULFILLED, S.CANCELLED, S.REFUNDED},
    S.FULFILLED: {S.SHIPPED, S.REFUNDED},
    S.SHIPPED: {S.COMPLETED, S.REFUNDED},
    S.COMPLETED: {S.REFUNDED},
    S.CANCELLED: set(),
    S.REFUNDED: set(),
}
_RELEASES_STOCK = {S.CANCELLED}


def order_reference_new() -> str:
    return "SR-" + "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(12))


@dataclass(frozen=True)
class CheckoutDetails:
    email: str
    full_name: str
    line1: str
    city: str
    postal_code: str
    country: str
    line2: str = ""
    phone: str = ""

    def cleaned(self) -> CheckoutDetails:
        """Trimmed, validated copy; raises CheckoutError naming the first bad field."""
        values = address_values_clean(
            {f.name: getattr(self, f.name) for f in fields(self)}, error=CheckoutError,
            limits={"email": 254, **ADDRESS_LIMITS}, required=("email", *ADDRESS_REQUIRED),
        )
        try:
            validate_email(values["email"])
        except ValidationError:
            raise CheckoutError("Enter a valid email address.", field="email") from None
        return CheckoutDetails(**values)


def order_create(
    *, cart: Cart, details: CheckoutDetails, shipping_method: str, user=None,
) -> Order:
    """Turn the cart into a pending order, reserving stock atomically. The order's personal
    fields are encrypted under the account's data subject, or for a guest under a new
    subject of the order's own, made here.

    Each line's stock is taken with one conditional UPDATE (``stock >= quantity``), so
    parallel buyers of the last units cannot oversell on any database; if one line
    cannot be reserved the whole transaction rolls back and nothing is written.
    The caller has resolved ``cart`` for this shopper (token or account); shoppers'
    orders are placed through ``commerce.checkout``, which also starts the payment."""
    details = details.cleaned()
    method = SHIPPING_METHODS.get(shipping_method)
    if method is None:
        raise CheckoutError("Choose a shipping method.", field="shipping_method")
    with transaction.atomic():
        lines = list(cart.lines.select_related("variant__product").order_by("variant_id"))
        if not lines:
            raise CheckoutError("Your cart is empty.", code="cart_empty")
        currency = lines[0].variant.currency
        order = Order(
            reference=order_reference_new(), user=user, shipping_method=method.code,
            currency=currency, subtotal=0, shipping_total=0, total=0,
            **{f.name: getattr(details, f.name) for f in fields(details)},
        )
        order_lines = []
        for line in lines:  # ordered by variant id: concurrent checkouts lock in one order
            variant = line.variant
            if not (variant.is_active and variant.product.is_active):
                raise OutOfStock(f"{variant.display_name} is no longer available.")
            taken = Variant.objects.filter(
                pk=variant.pk, is_active=True, stock__gte=line.quantity
            ).update(stock=F("stock") - line.quantity)
            if not taken:
                raise OutOfStock(f"Sorry, {variant.display_name} sold out before you "
                                 "finished: please review your cart.")
            order_lines.append(OrderLine(
                order=order, variant=variant, product_name=variant.display_name,
                sku=variant.sku, unit_price=variant.price, quantity=line.quantity,
                line_total=variant.price * line.quantity,
            ))
        order.subtotal = sum(ol.line_total for ol in order_lines)
        order.shipping_total = method.cost(order.subtotal)
        order.total = order.subtotal + order.shipping_total
        # A guest's subject is made once the stock is had: a sold-out checkout makes none.
        order.subject_id = user.subject_id if user is not None else subject_create().pk
        order.save(force_insert=True)
        OrderLine.objects.bulk_create(order_lines)
        OrderEvent.objects.create(order=order, kind="placed", to_status=order.status,
                                  actor=user)
        audit_record(event=AuditEvent.ORDER_PLACED, subject_id=order.subject_id, object=order,
                     actor=Actor.of_user(user) if user else Actor.guest(order.subject_id))
        cart.lines.all().delete()
        transaction.on_commit(catalog_changed)  # listings show stock state
    return order


def order_transition(*, order: Order, to_status: str, actor=None, note: str = "") -> Order:
    """Move ``order`` to ``to_status`` if the lifecycle allows it; cancelling returns the
    reserved stock. The row is locked so two staff clicks cannot apply twice.
    The caller has checked ``actor`` may change this order."""
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if to_status not in TRANSITIONS.get(locked.status, set()):
            raise InvalidTransition(
                f"An order that is {locked.get_status_display().lower()} cannot become "
                f"{OrderStatus(to_status).label.lower() if to_status in S.values else to_status}."
            )
        if to_status in _RELEASES_STOCK:
            for line in locked.lines.exclude(variant=None):
                Variant.objects.filter(pk=line.variant_id).update(
                    stock=F("stock") + line.quantity
                )
            transaction.on_commit(catalog_changed)
        OrderEvent.objects.create(order=locked, kind="status", from_status=locked.status,
                                  to_status=to_status, actor=actor, note=note[:500])
        audit_record(
            event=AuditEvent.ORDER_REFUNDED if to_status == S.REFUNDED
            else AuditEvent.ORDER_STATUS_CHANGED,
            actor=actor or Actor.system("orders"), subject_id=locked.subject_id, object=locked,
            fields=["status"], reason=note,
        )
        locked.status = to_status
        locked.save(update_fields=["status", "updated_at"])
    return locked


# --- Payment-driven transitions (called by commerce.payments, which sits above) ------
# Both the shopper's return from the gateway and the gateway's webhook call these, in any
# order and any number of times: the locked status check makes the first caller win and
# every other a no-op, so the order is paid once and its receipt goes out once.
_REFUNDABLE = {S.PAID, S.FULFILLED, S.SHIPPED, S.COMPLETED}


def order_mark_paid(*, order: Order, note: str = "", actor=None, source: str = "") -> bool:
    """Pending -> paid, once. Returns False (and changes nothing) if the order is not
    pending: already paid by the other path, or cancelled meanwhile (the caller flags a
    payment for a cancelled order). Stock was reserved when the order was placed."""
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if locked.status != S.PENDING:
            return False
        OrderEvent.objects.create(order=locked, kind="paid", from_status=locked.status,
                                  to_status=S.PAID, actor=actor, note=note[:500])
        audit_record(event=AuditEvent.ORDER_PAID, actor=actor or Actor.system("payments"),
                     subject_id=locked.subject_id, object=locked, fields=["status"],
                     reason=source)
        locked.status = S.PAID
        locked.save(update_fields=["status", "updated_at"])
        _receipt_send(locked)
    order.status = S.PAID
    return True


def order_mark_refunded(*, order: Order, note: str = "", actor=None, source: str = "") -> bool:
    """Paid (or later) -> refunded, once; False if the order is not in a refundable state.
    Both record their audit event (ORDER_PAID / ORDER_REFUNDED, ``source``: "webhook",
    "return", "refund", "reconcile") in the status change's transaction."""
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if locked.status not in _REFUNDABLE:
            return False
        OrderEvent.objects.create(order=locked, kind="refunded", from_status=locked.status,
                                  to_status=S.REFUNDED, actor=actor, note=note[:500])
        audit_record(event=AuditEvent.ORDER_REFUNDED, actor=actor or Actor.system("payments"),
                     subject_id=locked.subject_id, object=locked, fields=["status"],
                     reason=source)
        locked.status = S.REFUNDED
        locked.save(update_fields=["status", "updated_at"])
    order.status = S.REFUNDED
    return True


def order_event_add(*, order: Order, kind: str, note: str = "", actor=None) -> OrderEvent:
    """A history entry that changes no status (a partial refund, a payment problem)."""
    return OrderEvent.objects.create(order=order, kind=kind[:32], actor=actor, note=note[:500],
                                     to_status=order.status)


def _receipt_send(order: Order) -> None:
    """Queue the receipt in the encrypted outbox (sent by the worker after commit)."""
    mail_queue(
        subject_id=order.subject_id, to=str(order.email), kind="order_receipt",
        headline=f"Payment received for order {order.reference}",
        body=(f"Thank you, we have received your payment of {order.total} "
              f"{order.currency} for order {order.reference}.\n\n"
              f"{settings.STRONGROOM_STORE_NAME}\n"),
    )

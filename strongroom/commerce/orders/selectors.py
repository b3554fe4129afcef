from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from .errors import OrderNotFound
from .models import Order, OrderEvent, OrderStatus


def order_list_for_user(*, user) -> QuerySet[Order]:
    return Order.objects.filter(user=user).prefetch_related("lines")


_REFERENCE_SHAPE = re.compile(r"[A-Z0-9-]{1,20}")


def _reference_ok(reference: object) -> bool:
    """Refuse malformed references before the database sees them (a NUL byte is a
    DataError on PostgreSQL, which would otherwise surface as a 500)."""
    return isinstance(reference, str) and _REFERENCE_SHAPE.fullmatch(reference) is not None


def order_get_for_user(*, user, reference: str) -> Order:
    """The customer's own order; anyone else's reads as not found (no IDOR oracle)."""
    if not _reference_ok(reference):
        raise OrderNotFound("No such order.")
    order = Order.objects.filter(user=user, reference=reference).first()
    if order is None:
        raise OrderNotFound("No such order.")
    return order


def order_get_by_reference(*, reference: str) -> Order:
    """Unscoped lookup: only for callers that have done their own authorization."""
    if not _reference_ok(reference):
        raise OrderNotFound("No such order.")
    order = Order.objects.filter(reference=reference).first()
    if order is None:
        raise OrderNotFound("No such order.")
    return order


def order_emails_by_subject(*, subject_ids) -> dict:
    """The contact email of each subject's latest order: how a guest (a subject with no
    account, see ``services.order_create``) is reached. Erased subjects are left out."""
    emails: dict = {}
    for order in (Order.objects.filter(subject_id__in=list(subject_ids))
                  .order_by("-created_at").only("subject_id", "email")):
        emails.setdefault(order.subject_id, order.email)
    return {subject: email for subject, email in emails.items() if email}


def order_list(*, status: str | None = None) -> QuerySet[Order]:
    orders = Order.objects.select_related("user")
    if status:
        orders = orders.filter(status=status)
    return orders


# --- Staff reads (console); callers checked staff access --------------------------------
def order_counts_for_users(*, user_ids: list) -> dict:
    """{user id: number of orders} for the given accounts only (one grouped query over
    the orders' user index; a list page asks for its 25 rows, never for every customer)."""
    rows = (Order.objects.filter(user_id__in=user_ids).order_by()
            .values("user_id").annotate(n=Count("id")))
    return {row["user_id"]: row["n"] for row in rows}


REVENUE_STATUSES = (
    OrderStatus.PAID, OrderStatus.FULFILLED, OrderStatus.SHIPPED, OrderStatus.COMPLETED,
)


@dataclass(frozen=True)
class OrderStats:
    orders_today: int
    orders_week: int
    revenue_today: Decimal
    revenue_week: Decimal
    awaiting_payment: int
    to_fulfil: int


def order_stats(*, now: datetime | None = None) -> OrderStats:
    """Counts for the console dashboard. The week starts on Monday, in the store's time zone;
    revenue counts paid orders that were not cancelled or refunded."""
    now = timezone.localtime(now or timezone.now())
    day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    week_start = day_start - timedelta(days=day_start.weekday())
    paid = Q(status__in=REVENUE_STATUSES)
    today, week = Q(created_at__gte=day_start), Q(created_at__gte=week_start)
    row = Order.objects.aggregate(
        orders_today=Count("pk", filter=today),
        orders_week=Count("pk", filter=week),
        revenue_today=Sum("total", filter=today & paid),
        revenue_week=Sum("total", filter=week & paid),
        awaiting_payment=Count("pk", filter=Q(status=OrderStatus.PENDING)),
        to_fulfil=Count("pk", filter=Q(status=OrderStatus.PAID)),
    )
    zero = Decimal("0.00")
    return OrderStats(
        orders_today=row["orders_today"], orders_week=row["orders_week"],
        revenue_today=row["revenue_today"] or zero, revenue_week=row["revenue_week"] or zero,
        awaiting_payment=row["awaiting_payment"], to_fulfil=row["to_fulfil"],
    )


def order_get_for_staff(*, reference: str) -> Order:
    """An order with what its console page shows: lines and the event timeline."""
    if not _reference_ok(reference):
        raise OrderNotFound("No such order.")
    order = (
        Order.objects.filter(reference=reference)
        .select_related("user")
        .prefetch_related("lines", Prefetch("events", OrderEvent.objects.select_related("actor")))
        .first()
    )
    if order is None:
        raise OrderNotFound("No such order.")
    return order

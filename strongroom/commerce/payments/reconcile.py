"""``strongroom payments reconcile``: compare recent orders with what the gateway says.

Repairs what can be repaired safely — a payment captured at the gateway whose order
never heard of it (the process died between the charge and the order update, the
webhook was lost) — and flags what needs a person: money taken for a cancelled order,
an order marked paid that the gateway never charged, amounts that disagree."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from strongroom.commerce.orders.models import OrderStatus

from .alerting import payment_problem_flag
from .errors import GatewayRefused, GatewayUnavailable
from .models import SETTLED, Payment, PaymentStatus
from .services import payment_sync

_PAID_LIKE = {OrderStatus.PAID, OrderStatus.FULFILLED, OrderStatus.SHIPPED,
              OrderStatus.COMPLETED}


@dataclass(frozen=True)
class Finding:
    reference: str
    action: str  # "repaired", "flagged", "ok", "error"
    detail: str


def payments_reconcile(*, days: int = 7, now: datetime | None = None) -> list[Finding]:
    """Check every gateway payment of the last ``days`` days. Raises GatewayUnavailable
    if the gateway cannot be reached at all (nothing is changed then)."""
    since = (now or timezone.now()) - timedelta(days=days)
    payments = (Payment.objects.filter(created_at__gte=since)
                .exclude(gateway__in=["none", "hosted"]).exclude(gateway_reference="")
                .select_related("order").order_by("created_at"))
    findings: list[Finding] = []
    for payment in payments:
        reference = payment.order.reference
        before = payment.order.status
        try:
            applied = payment_sync(payment=payment, source="reconcile")
        except GatewayRefused as exc:
            findings.append(Finding(reference, "error", exc.message))
            continue
        order_status = type(payment.order).objects.get(pk=payment.order_id).status
        if applied.problem:
            findings.append(Finding(reference, "flagged", applied.problem))
        elif applied.changed:
            findings.append(Finding(reference, "repaired",
                                    f"payment {payment.status}, order {before} -> "
                                    f"{order_status}"))
        elif order_status in _PAID_LIKE and payment.status not in SETTLED:
            detail = f"order is {order_status} but the gateway reports {payment.status}"
            payment_problem_flag(subject=reference, message=detail,
                                 fingerprint=f"unpaid-{payment.pk}")
            findings.append(Finding(reference, "flagged", detail))
        else:
            findings.append(Finding(reference, "ok", payment.get_status_display()))
    return findings


__all__ = ["Finding", "GatewayUnavailable", "PaymentStatus", "payments_reconcile"]

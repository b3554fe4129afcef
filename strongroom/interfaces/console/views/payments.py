"""Console: refunds on an order, and the payment-page integrity screen (script inventory,
baselines, alerts, CSP violation reports)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from strongroom.commerce.orders import selectors as order_selectors
from strongroom.commerce.payments import selectors as payment_selectors
from strongroom.commerce.payments.errors import PaymentError, RefundNotAllowed
from strongroom.commerce.payments.integrity import SCRIPT_INVENTORY
from strongroom.commerce.payments.models import PaymentAlert, Refund
from strongroom.commerce.payments.services import (
    alert_resolve,
    page_baseline_accept,
    payment_refund,
    payment_refund_retry,
)
from strongroom.protection.access.roles import Perm

from ..permissions import (
    STEP_UP_MISSING,
    can_manage_payment_security,
    can_refund,
    perm_required,
    staff_required,
    step_up_needed,
    step_up_url,
)
from .common import get_or_404


@staff_required
@require_POST
def order_refund(request: HttpRequest, reference: str) -> HttpResponse:
    if not can_refund(request.user):
        raise PermissionDenied("Only the store owner or an admin can refund.")
    order = get_or_404(order_selectors.order_get_for_staff, reference=reference)
    if step_up_needed(request):  # money out: a second factor from the last few minutes
        return _step_up(request, reference)
    payment = payment_selectors.payment_latest(order=order)
    if payment is None:
        messages.error(request, "This order has no payment to refund.")
        return redirect("console:order_detail", reference=reference)
    amount = request.POST.get("amount", "").strip() if request.POST.get(
        "mode") == "partial" else None
    try:
        refund = payment_refund(payment=payment, amount=amount, actor=request.user,
                                reason=request.POST.get("reason", "")[:200])
    except RefundNotAllowed as exc:
        messages.error(request, exc.message)
        return redirect("console:order_detail", reference=reference)
    except PaymentError as exc:
        messages.error(request, f"The refund did not go through: {exc.message}")
        return redirect("console:order_detail", reference=reference)
    messages.success(request, f"Refunded {refund.amount} {payment.currency}.")
    return redirect("console:order_detail", reference=reference)


@staff_required
@require_POST
def refund_retry(request: HttpRequest, reference: str, refund_id) -> HttpResponse:
    if not can_refund(request.user):
        raise PermissionDenied("Only the store owner or an admin can refund.")
    order = get_or_404(order_selectors.order_get_for_staff, reference=reference)
    if step_up_needed(request):  # money out: a second factor from the last few minutes
        return _step_up(request, reference)
    refund = Refund.objects.filter(pk=refund_id, payment__order=order).first()
    if refund is None:
        raise Http404
    try:
        payment_refund_retry(refund=refund)
        messages.success(request, f"Refunded {refund.amount} {refund.payment.currency}.")
    except PaymentError as exc:
        messages.error(request, f"The refund did not go through: {exc.message}")
    return redirect("console:order_detail", reference=reference)


@perm_required(Perm.PAYMENT_SECURITY_VIEW)
@require_GET
def payment_security(request: HttpRequest) -> HttpResponse:
    return render(request, "console/payments/security.html", {
        "inventory": SCRIPT_INVENTORY.values(),
        "alerts": list(payment_selectors.alerts_open()[:100]),
        "baselines": list(payment_selectors.page_baselines()),
        "reports": payment_selectors.csp_reports_recent(),
        "can_manage": can_manage_payment_security(request.user),
    })


@perm_required(Perm.PAYMENT_SECURITY_VIEW)
@require_POST
def payment_alert_action(request: HttpRequest, alert_id: int) -> HttpResponse:
    if not can_manage_payment_security(request.user):
        raise PermissionDenied("Only the store owner can do this.")
    alert = PaymentAlert.objects.filter(pk=alert_id, resolved_at=None).first()
    if alert is None:
        raise Http404
    if request.POST.get("action") == "accept":
        try:
            page_baseline_accept(alert=alert, actor=request.user)
        except RefundNotAllowed as exc:
            messages.error(request, exc.message)
            return redirect("console:payment_security")
        messages.success(request, f"Accepted the current {alert.subject} as the baseline.")
    else:
        alert_resolve(alert=alert, actor=request.user)
        messages.success(request, "Alert resolved.")
    return redirect("console:payment_security")


def _step_up(request: HttpRequest, reference: str) -> HttpResponse:
    page = reverse("console:order_detail", args=[reference])
    url = step_up_url(request, next_url=page)
    if url is None:
        messages.error(request, STEP_UP_MISSING)
        return redirect(page)
    messages.info(request, "Confirm it is you with your second factor, then refund again.")
    return redirect(url)

"""Paying for a placed order: off to the gateway's hosted page, and back again.

``checkout_pay`` opens (or re-opens) the hosted payment page and redirects the shopper
there; the card is typed on the gateway's page, never on ours. ``checkout_return`` is
where the gateway sends the shopper back: the store asks the gateway, server to server,
how the payment stands — the query string is never believed — and the order becomes paid
once, whether this or the gateway's webhook gets there first.

Who may use them: the browser session that placed the order, the account that owns it,
or the holder of the signed pay token the checkout API hands out (``?t=``)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from strongroom.commerce.orders.errors import OrderNotFound
from strongroom.commerce.orders.models import Order, OrderStatus
from strongroom.commerce.orders.selectors import order_get_by_reference
from strongroom.commerce.payments.errors import GatewayRefused, GatewayUnavailable
from strongroom.commerce.payments.selectors import payment_latest
from strongroom.commerce.payments.services import payment_checkout_open, payment_sync
from strongroom.commerce.payments.tokens import pay_token, pay_token_valid
from strongroom.publicurl import public_url

from ..shopper import placed_references


def _may_view(request: HttpRequest, order: Order) -> bool:
    """May this browser see the order's confirmation (with its personal data)?"""
    return order.reference in placed_references(request) or (
        request.user.is_authenticated and order.user_id == request.user.pk)


def _order_for(request: HttpRequest, reference: str) -> tuple[Order, bool]:
    try:
        order = order_get_by_reference(reference=reference)
    except OrderNotFound:
        raise Http404 from None
    viewer = _may_view(request, order)
    token = request.GET.get("t", "")
    if not viewer and not (token and pay_token_valid(token, str(order.pk))):
        raise Http404  # unknown and not-yours look the same
    return order, viewer


@require_safe
@never_cache
def checkout_pay(request: HttpRequest, reference: str) -> HttpResponse:
    order, viewer = _order_for(request, reference)
    payment = payment_latest(order=order)
    if order.status != OrderStatus.PENDING or payment is None or payment.gateway == "none":
        return _after(request, order, viewer)
    token = pay_token(payment)
    back = public_url(reverse("storefront:checkout_return", args=[reference]))
    try:
        url = payment_checkout_open(
            payment=payment, success_url=f"{back}?t={token}&session_id={{CHECKOUT_SESSION_ID}}",
            cancel_url=f"{back}?t={token}&cancelled=1")
    except (GatewayUnavailable, GatewayRefused) as exc:
        return render(request, "storefront/checkout/payment_unavailable.html", {
            "order": order, "message": exc.message,
            "retry_url": f"{reverse('storefront:checkout_pay', args=[reference])}?t={token}",
        }, status=503 if isinstance(exc, GatewayUnavailable) else 502)
    return redirect(url)


@require_safe
@never_cache
def checkout_return(request: HttpRequest, reference: str) -> HttpResponse:
    order, viewer = _order_for(request, reference)
    payment = payment_latest(order=order)
    if payment is not None and payment.gateway != "none":
        try:
            payment_sync(payment=payment, source="return")
        except (GatewayUnavailable, GatewayRefused):
            messages.warning(request, "We could not confirm your payment with the payment "
                             "service yet. Your order is reserved; its status updates as soon "
                             "as the payment service confirms it.")
        order.refresh_from_db()
        if "cancelled" in request.GET and order.status == OrderStatus.PENDING:
            messages.info(request, "Payment not completed: your order is reserved for you, "
                          "pay whenever you are ready.")
    return _after(request, order, viewer)


def _after(request: HttpRequest, order: Order, viewer: bool) -> HttpResponse:
    if viewer:
        return redirect("storefront:order", reference=order.reference)
    # A pay-token holder without the placing session: the outcome, no personal data.
    payment = payment_latest(order=order)
    return render(request, "storefront/checkout/payment_result.html",
                  {"order": order, "payment": payment})

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from strongroom.commerce.orders import selectors as order_selectors
from strongroom.commerce.orders.errors import InvalidTransition
from strongroom.commerce.orders.models import Order, OrderStatus
from strongroom.commerce.orders.services import TRANSITIONS, order_transition
from strongroom.commerce.payments import selectors as payment_selectors

from ..forms import OrderFilterForm, OrderTransitionForm
from ..permissions import can_refund, staff_required
from .common import get_or_404, preload_keys

PAGE_SIZE = 25


@staff_required
@require_GET
def order_list(request: HttpRequest) -> HttpResponse:
    form = OrderFilterForm(request.GET)
    if not form.is_valid():
        return render(request, "console/orders/list.html", {"form": form, "page": None},
                      status=400)
    orders = order_selectors.order_list(status=form.cleaned_data["status"] or None)
    page = Paginator(orders, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    preload_keys(request, page.object_list)
    return render(request, "console/orders/list.html", {"form": form, "page": page})


def _next_statuses(order: Order, payment) -> list[OrderStatus]:
    allowed = TRANSITIONS.get(order.status, set())
    if payment is not None and payment.gateway != "none":
        # Paid through a gateway: "refunded" must move money, so it is the Refund action's.
        allowed = allowed - {OrderStatus.REFUNDED}
    return [status for status in OrderStatus if status in allowed]


def _render_detail(request: HttpRequest, order: Order, *, status: int = 200,
                   form: OrderTransitionForm | None = None) -> HttpResponse:
    actors = [event.actor for event in order.events.all() if event.actor is not None]
    preload_keys(request, [order, *actors])
    payment = payment_selectors.payment_latest(order=order)
    refunds = list(payment_selectors.refunds_for_order(order=order))
    preload_keys(request, [r.actor for r in refunds if r.actor is not None])
    return render(request, "console/orders/detail.html", {
        "order": order, "next_statuses": _next_statuses(order, payment), "form": form,
        "payment": payment, "refunds": refunds, "can_refund": can_refund(request.user),
    }, status=status)


@staff_required
@require_GET
def order_detail(request: HttpRequest, reference: str) -> HttpResponse:
    order = get_or_404(order_selectors.order_get_for_staff, reference=reference)
    return _render_detail(request, order)


@staff_required
@require_POST
def order_status(request: HttpRequest, reference: str) -> HttpResponse:
    order = get_or_404(order_selectors.order_get_for_staff, reference=reference)
    form = OrderTransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose one of the offered statuses.")
        return _render_detail(request, order, status=400, form=form)
    try:
        order_transition(order=order, to_status=form.cleaned_data["to_status"],
                         actor=request.user, note=form.cleaned_data["note"])
    except InvalidTransition as exc:
        # Usually a second click or another staff member got there first: show the
        # order as it is now rather than failing.
        messages.error(request, exc.message)
        order = get_or_404(order_selectors.order_get_for_staff, reference=reference)
        return _render_detail(request, order, status=409)
    messages.success(request, f"Order {order.reference} is now "
                              f"{OrderStatus(form.cleaned_data['to_status']).label.lower()}.")
    return redirect("console:order_detail", reference=order.reference)

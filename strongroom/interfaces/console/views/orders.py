"""Orders in the console. The role table decides which orders a viewer may open (a
fulfilment member: only those awaiting shipment; others are 404) and how the contact
and address show; every order page records an ORDER_VIEWED event."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from strongroom.commerce.orders import selectors as order_selectors
from strongroom.commerce.orders.errors import InvalidTransition
from strongroom.commerce.orders.models import Order, OrderStatus
from strongroom.commerce.orders.services import TRANSITIONS, order_transition
from strongroom.commerce.payments import selectors as payment_selectors
from strongroom.protection.access import selectors as access
from strongroom.protection.access.roles import Perm, Scope
from strongroom.protection.access.services import view_record
from strongroom.protection.audit.events import AuditEvent

from ..forms import OrderFilterForm, OrderTransitionForm
from ..permissions import can_refund, perm_required
from ..seek import BadCursor, seek_page
from .common import get_or_404, preload_keys
from .reveal import reveal, reveal_form

PAGE_SIZE = 25
CONTACT_FIELDS = ("full_name", "email", "phone", "line1", "line2", "city", "postal_code")


@perm_required(Perm.ORDERS_VIEW)
@require_GET
def order_list(request: HttpRequest) -> HttpResponse:
    form = OrderFilterForm(request.GET)
    if not form.is_valid():
        return render(request, "console/orders/list.html", {"form": form, "page": None},
                      status=400)
    orders = access.orders_visible(
        viewer=request.user,
        orders=order_selectors.order_list(status=form.cleaned_data["status"] or None))
    try:  # references, status, totals: no personal data
        page = seek_page(orders, keys=("created_at", "pk"), cursor=request.GET.get("cursor"),
                         size=PAGE_SIZE)
    except BadCursor:
        return render(request, "console/orders/list.html", {"form": form, "page": None,
                      "bad_cursor": True}, status=400)
    return render(request, "console/orders/list.html", {
        "form": form, "page": page, "statuses": access.order_statuses_visible(
            viewer=request.user)})


def _order(request: HttpRequest, reference: str) -> Order:
    order = get_or_404(order_selectors.order_get_for_staff, reference=reference)
    if not access.order_visible(viewer=request.user, order=order):
        raise Http404("Not found.")  # out of scope reads exactly like unknown
    return order


def _next_statuses(request: HttpRequest, order: Order, payment) -> list[OrderStatus]:
    allowed = TRANSITIONS.get(order.status, set())
    if payment is not None and payment.gateway != "none":
        # Paid through a gateway: "refunded" must move money, so it is the Refund action's.
        allowed = allowed - {OrderStatus.REFUNDED}
    return [status for status in OrderStatus if status in allowed
            and access.status_change_allowed(request.user, status.value)]


def _render_detail(request: HttpRequest, order: Order, *, status: int = 200,
                   form: OrderTransitionForm | None = None, revealed=(),
                   reveal: object = None) -> HttpResponse:
    viewer = request.user
    actors = [event.actor for event in order.events.all() if event.actor is not None]
    preload_keys(request, [order, *actors])
    contact = access.field_view(viewer=viewer, row=order, names=CONTACT_FIELDS,
                                revealed=revealed)
    view_record(viewer=viewer, event=AuditEvent.ORDER_VIEWED, request=request,
                rows=[(order.subject_id, order, contact.clear)])
    # Payment details (card brand, last 4) are for roles that see every order.
    show_payment = access.policy_of(viewer).orders == Scope.ALL
    payment = payment_selectors.payment_latest(order=order)
    refunds = list(payment_selectors.refunds_for_order(order=order)) if show_payment else []
    preload_keys(request, [r.actor for r in refunds if r.actor is not None])
    return render(request, "console/orders/detail.html", {
        "order": order, "contact": contact, "next_statuses": _next_statuses(
            request, order, payment), "form": form, "show_payment": show_payment,
        "payment": payment, "refunds": refunds, "can_refund": can_refund(viewer),
        "customer_link": order.user_id is not None and not order.user.is_staff
        and access.customer_visible(viewer=viewer, customer=order.user),
        "reveal_form": reveal or reveal_form(contact.revealable), "revealed": revealed,
    }, status=status)


@perm_required(Perm.ORDERS_VIEW)
@never_cache
@require_GET
def order_detail(request: HttpRequest, reference: str) -> HttpResponse:
    return _render_detail(request, _order(request, reference))


@perm_required(Perm.ORDERS_VIEW)
@never_cache
@require_POST
def order_reveal(request: HttpRequest, reference: str) -> HttpResponse:
    order = _order(request, reference)
    preload_keys(request, [order])
    revealable = access.field_view(viewer=request.user, row=order,
                                   names=CONTACT_FIELDS).revealable
    return reveal(
        request, revealable=revealable, subject_id=order.subject_id, obj=order,
        page_url=reverse("console:order_detail", args=[order.reference]),
        render=lambda form=None, **kw: _render_detail(request, order, reveal=form, **kw))


@perm_required(Perm.ORDERS_CHANGE_STATUS)
@require_POST
def order_status(request: HttpRequest, reference: str) -> HttpResponse:
    order = _order(request, reference)
    form = OrderTransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose one of the offered statuses.")
        return _render_detail(request, order, status=400, form=form)
    to_status = form.cleaned_data["to_status"]
    if not access.status_change_allowed(request.user, to_status):
        raise PermissionDenied("Your role cannot make this status change.")
    try:
        order_transition(order=order, to_status=to_status,
                         actor=request.user, note=form.cleaned_data["note"])
    except InvalidTransition as exc:
        # Usually a second click or another staff member got there first: show the
        # order as it is now rather than failing.
        messages.error(request, exc.message)
        order = _order(request, reference)
        return _render_detail(request, order, status=409)
    messages.success(request, f"Order {order.reference} is now "
                              f"{OrderStatus(to_status).label.lower()}.")
    order.refresh_from_db(fields=["status"])
    if not access.order_visible(viewer=request.user, order=order):
        return redirect("console:order_list")  # e.g. shipped: out of fulfilment's scope
    return redirect("console:order_detail", reference=order.reference)

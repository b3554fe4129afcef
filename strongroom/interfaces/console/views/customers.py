"""Customers in the console: need-to-know. The role table decides which customers a
viewer may open (others are 404) and how each field shows (masked by default); every
page that shows customer data records a CUSTOMER_VIEWED event per customer shown."""

from __future__ import annotations

from uuid import UUID

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from strongroom.commerce.customers import selectors as customer_selectors
from strongroom.commerce.orders import selectors as order_selectors
from strongroom.protection.access import selectors as access
from strongroom.protection.access.history import history_rows
from strongroom.protection.access.roles import FieldGroup, Perm, Policy
from strongroom.protection.access.services import view_record
from strongroom.protection.audit.events import AuditEvent
from strongroom.protection.audit.selectors import audit_access_to_subject

from ..forms import CustomerSearchForm
from ..permissions import can, perm_required
from ..seek import BadCursor, seek_page
from .common import get_or_404, preload_keys
from .reveal import reveal, reveal_form

PAGE_SIZE = 25
HISTORY_SHOWN = 20
PROFILE_FIELDS = ("full_name", "email")
ADDRESS_FIELDS = ("full_name", "line1", "line2", "city", "postal_code", "phone")


@perm_required(Perm.CUSTOMERS_VIEW)
@require_GET
def customer_list(request: HttpRequest) -> HttpResponse:
    form = CustomerSearchForm(request.GET)
    if not form.is_valid():
        return render(request, "console/customers/list.html", {"form": form, "page": None},
                      status=400)
    query = form.cleaned_data["q"]
    # Browsing leaves canary records out (the selector): they trip only when sought.
    customers = access.customers_visible(
        viewer=request.user, customers=customer_selectors.customer_list(query=query))
    try:
        page = seek_page(customers, keys=("date_joined", "pk"),
                         cursor=request.GET.get("cursor"), size=PAGE_SIZE)
    except BadCursor:
        return render(request, "console/customers/list.html", {"form": form, "page": None,
                      "bad_cursor": True}, status=400)
    counts = order_selectors.order_counts_for_users(user_ids=[c.pk for c in page.object_list])
    for customer in page.object_list:
        customer.order_count = counts.get(customer.pk, 0)
    preload_keys(request, page.object_list)
    rows = [(c, access.field_view(viewer=request.user, row=c, names=PROFILE_FIELDS))
            for c in page.object_list]
    view_record(viewer=request.user, event=AuditEvent.CUSTOMER_VIEWED, request=request,
                rows=[(c.subject_id, c, v.clear) for c, v in rows])
    return render(request, "console/customers/list.html",
                  {"form": form, "page": page, "rows": rows, "query": query})


def _customer(request: HttpRequest, customer_id: UUID):
    customer = get_or_404(customer_selectors.customer_get, customer_id=customer_id)
    if not access.customer_visible(viewer=request.user, customer=customer):
        raise Http404("Not found.")  # out of scope reads exactly like unknown
    return customer


def _page(request: HttpRequest, customer, *, revealed=(), form=None,
          status: int = 200) -> HttpResponse:
    viewer = request.user
    policy = access.policy_of(viewer)
    show_addresses = any(policy.field(g) != Policy.HIDDEN
                         for g in (FieldGroup.ADDRESS, FieldGroup.PHONE))
    addresses = list(customer_selectors.address_list_for_user(user=customer)) \
        if show_addresses else []
    orders = list(access.orders_visible(
        viewer=viewer, orders=order_selectors.order_list_for_user(user=customer)))
    preload_keys(request, [customer, *addresses])
    profile = access.field_view(viewer=viewer, row=customer, names=PROFILE_FIELDS,
                                revealed=revealed)
    address_views = [access.field_view(viewer=viewer, row=a, names=ADDRESS_FIELDS,
                                       revealed=revealed) for a in addresses]
    clear = [*profile.clear, *(f"address.{n}" for v in address_views for n in v.clear)]
    view_record(viewer=viewer, event=AuditEvent.CUSTOMER_VIEWED, request=request,
                rows=[(customer.subject_id, customer, list(dict.fromkeys(clear)))])
    revealable = sorted({g for v in (profile, *address_views) for g in v.revealable},
                        key=list(FieldGroup).index)
    history = None
    if can(viewer, Perm.CUSTOMER_ACCESS_HISTORY):
        history = history_rows(audit_access_to_subject(subject_id=customer.subject_id)
                               [:HISTORY_SHOWN], names=True)
    return render(request, "console/customers/detail.html", {
        "customer": customer, "profile": profile, "addresses": address_views,
        "show_addresses": show_addresses, "orders": orders,
        "show_orders": access.has_perm(viewer, Perm.ORDERS_VIEW),
        "reveal_form": form or reveal_form(revealable), "revealed": revealed,
        "history": history, "can_search_audit": can(viewer, Perm.AUDIT_VIEW),
    }, status=status)


def _revealable(request: HttpRequest, customer) -> list[FieldGroup]:
    viewer = request.user
    rows = [(customer, PROFILE_FIELDS)]
    policy = access.policy_of(viewer)
    if policy.field(FieldGroup.ADDRESS) != Policy.HIDDEN or \
            policy.field(FieldGroup.PHONE) != Policy.HIDDEN:
        rows += [(a, ADDRESS_FIELDS)
                 for a in customer_selectors.address_list_for_user(user=customer)]
    preload_keys(request, [row for row, _ in rows])
    groups = {g for row, names in rows
              for g in access.field_view(viewer=viewer, row=row, names=names).revealable}
    return sorted(groups, key=list(FieldGroup).index)


@perm_required(Perm.CUSTOMERS_VIEW)
@never_cache
@require_GET
def customer_detail(request: HttpRequest, customer_id: UUID) -> HttpResponse:
    return _page(request, _customer(request, customer_id))


@perm_required(Perm.CUSTOMERS_VIEW)
@never_cache
@require_POST
def customer_reveal(request: HttpRequest, customer_id: UUID) -> HttpResponse:
    customer = _customer(request, customer_id)
    return reveal(
        request, revealable=_revealable(request, customer), subject_id=customer.subject_id,
        obj=customer, page_url=reverse("console:customer_detail", args=[customer.pk]),
        render=lambda **kw: _page(request, customer, **kw))

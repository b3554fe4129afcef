from __future__ import annotations

from uuid import UUID

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from strongroom.commerce.customers import selectors as customer_selectors
from strongroom.commerce.orders import selectors as order_selectors

from ..forms import CustomerSearchForm
from ..permissions import staff_required
from .common import get_or_404, preload_keys

PAGE_SIZE = 25


@staff_required
@require_GET
def customer_list(request: HttpRequest) -> HttpResponse:
    form = CustomerSearchForm(request.GET)
    if not form.is_valid():
        return render(request, "console/customers/list.html", {"form": form, "page": None},
                      status=400)
    query = form.cleaned_data["q"]
    page = Paginator(customer_selectors.customer_list(query=query), PAGE_SIZE).get_page(
        request.GET.get("page"))
    page.object_list = list(page.object_list)
    preload_keys(request, page.object_list)
    return render(request, "console/customers/list.html",
                  {"form": form, "page": page, "query": query})


@staff_required
@require_GET
def customer_detail(request: HttpRequest, customer_id: UUID) -> HttpResponse:
    customer = get_or_404(customer_selectors.customer_get, customer_id=customer_id)
    addresses = list(customer_selectors.address_list_for_user(user=customer))
    orders = list(order_selectors.order_list_for_user(user=customer))
    preload_keys(request, [customer, *addresses, *orders])
    return render(request, "console/customers/detail.html", {
        "customer": customer, "addresses": addresses, "orders": orders,
    })

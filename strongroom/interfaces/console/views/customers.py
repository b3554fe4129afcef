from __future__ import annotations

from uuid import UUID

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from strongroom.commerce.customers import selectors as customer_selectors
from strongroom.commerce.orders import selectors as order_selectors

from ..permissions import staff_required
from .common import get_or_404

PAGE_SIZE = 25


@staff_required
@require_GET
def customer_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(customer_selectors.customer_list(), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "console/customers/list.html", {"page": page})


@staff_required
@require_GET
def customer_detail(request: HttpRequest, customer_id: UUID) -> HttpResponse:
    customer = get_or_404(customer_selectors.customer_get, customer_id=customer_id)
    return render(request, "console/customers/detail.html", {
        "customer": customer,
        "addresses": customer_selectors.address_list_for_user(user=customer),
        "orders": order_selectors.order_list_for_user(user=customer),
    })

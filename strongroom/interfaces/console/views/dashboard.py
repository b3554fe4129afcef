from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from strongroom.commerce.catalog import selectors as catalog_selectors
from strongroom.commerce.orders import selectors as order_selectors

from ..permissions import staff_required

RECENT_ORDERS = 10


@staff_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "console/dashboard.html", {
        "stats": order_selectors.order_stats(),
        "recent_orders": order_selectors.order_list()[:RECENT_ORDERS],
        "low_stock": catalog_selectors.variant_list_low_stock(),
        "low_stock_threshold": catalog_selectors.LOW_STOCK_THRESHOLD,
        "currency": settings.STRONGROOM_CURRENCY,
    })

"""The console home. What it shows follows the role table: order figures to roles that
have them, recent orders (references and totals, no personal data) to those who may
open orders (fulfilment: only orders awaiting shipment), low stock to product roles.
Marketing and the auditor see no order or customer data here."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from strongroom.commerce.catalog import selectors as catalog_selectors
from strongroom.commerce.orders import selectors as order_selectors
from strongroom.protection.access import selectors as access
from strongroom.protection.access.roles import Perm

from ..permissions import can, staff_required

RECENT_ORDERS = 10


@staff_required
def dashboard(request: HttpRequest) -> HttpResponse:
    viewer = request.user
    context: dict = {"role": access.role_of(viewer), "currency": settings.STRONGROOM_CURRENCY}
    if can(viewer, Perm.DASHBOARD_STATS):
        context["stats"] = order_selectors.order_stats()
    if can(viewer, Perm.ORDERS_VIEW):
        context["recent_orders"] = access.orders_visible(
            viewer=viewer, orders=order_selectors.order_list())[:RECENT_ORDERS]
    if can(viewer, Perm.PRODUCTS_VIEW):
        context["low_stock"] = catalog_selectors.variant_list_low_stock()
        context["low_stock_threshold"] = catalog_selectors.LOW_STOCK_THRESHOLD
    return render(request, "console/dashboard.html", context)

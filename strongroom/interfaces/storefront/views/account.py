"""Customer accounts: log out, order history, saved addresses (sign-in, sign-up and
passwords: ``auth``; second factors and sessions: ``security``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from strongroom.commerce.customers.errors import AddressNotFound
from strongroom.commerce.customers.selectors import address_get_for_user, address_list_for_user
from strongroom.commerce.customers.services import (
    address_create,
    address_delete,
    address_set_default,
)
from strongroom.commerce.orders.errors import OrderNotFound
from strongroom.commerce.orders.selectors import order_get_for_user, order_list_for_user
from strongroom.errors import ApplicationError

from ..feedback import error_to_form
from ..forms.checkout import AddressForm

ORDERS_PER_PAGE = 20


class LogoutView(auth_views.LogoutView):
    """POST only (Django's default since 5.0): a link or image cannot log anyone out."""

    next_page = reverse_lazy("storefront:home")


@require_safe
@login_required
def account(request: HttpRequest) -> HttpResponse:
    page = Paginator(order_list_for_user(user=request.user), ORDERS_PER_PAGE).get_page(
        request.GET.get("page", 1))
    return render(request, "storefront/account/orders.html",
                  {"orders": page.object_list, "orders_page": page})


@require_safe
@login_required
def account_order(request: HttpRequest, reference: str) -> HttpResponse:
    try:
        order = order_get_for_user(user=request.user, reference=reference)
    except OrderNotFound:
        raise Http404 from None
    return render(request, "storefront/account/order.html", {"order": order})


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def addresses(request: HttpRequest) -> HttpResponse:
    form = AddressForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            address_create(user=request.user, details=form.address_details(),
                           make_default=form.cleaned_data["make_default"])
        except ApplicationError as exc:
            error_to_form(form, exc)
        else:
            messages.success(request, "Address saved.")
            return redirect("storefront:addresses")
    return render(request, "storefront/account/addresses.html", {
        "form": form, "addresses": address_list_for_user(user=request.user),
    }, status=400 if form.is_bound else 200)


@require_POST
@login_required
def address_remove(request: HttpRequest, address_id: str) -> HttpResponse:
    address_delete(address=_own_address(request, address_id))
    messages.success(request, "Address deleted.")
    return redirect("storefront:addresses")


@require_POST
@login_required
def address_make_default(request: HttpRequest, address_id: str) -> HttpResponse:
    address_set_default(address=_own_address(request, address_id))
    messages.success(request, "Default address changed.")
    return redirect("storefront:addresses")


def _own_address(request: HttpRequest, address_id: str):
    try:
        return address_get_for_user(user=request.user, address_id=address_id)
    except AddressNotFound:
        raise Http404 from None

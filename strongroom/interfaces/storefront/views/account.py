"""Customer accounts: sign up, log in/out, order history, saved addresses, password."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from strongroom.commerce.customers.errors import AddressNotFound
from strongroom.commerce.customers.selectors import address_get_for_user, address_list_for_user
from strongroom.commerce.customers.services import (
    address_create,
    address_delete,
    address_set_default,
    customer_register,
)
from strongroom.commerce.orders.errors import OrderNotFound
from strongroom.commerce.orders.selectors import order_get_for_user, order_list_for_user
from strongroom.errors import ApplicationError

from ..feedback import error_to_form
from ..forms.account import LoginForm, SignupForm
from ..forms.checkout import AddressForm

ORDERS_PER_PAGE = 20


class LoginView(auth_views.LoginView):
    template_name = "storefront/account/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """POST only (Django's default since 5.0): a link or image cannot log anyone out."""

    next_page = reverse_lazy("storefront:home")


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "storefront/account/password_change.html"
    success_url = reverse_lazy("storefront:account")

    def get_form_kwargs(self) -> dict:
        return {**super().get_form_kwargs(), "label_suffix": ""}

    def form_valid(self, form):
        messages.success(self.request, "Your password is changed.")
        return super().form_valid(form)


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("storefront:account")
    form = SignupForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            user = customer_register(email=data["email"], full_name=data["full_name"],
                                     password=data["password"])
        except ApplicationError as exc:
            error_to_form(form, exc)
        else:
            # login() fires user_logged_in, which merges the guest cart into the account.
            login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
            messages.success(request, "Welcome! Your account is ready.")
            return redirect("storefront:account")
    return render(request, "storefront/account/signup.html", {"form": form},
                  status=400 if form.is_bound else 200)


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

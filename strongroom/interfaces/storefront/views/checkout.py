"""Checkout in three steps on one URL: address, shipping method, review -> place order.

The answers of earlier steps travel as hidden fields and are validated again at every
step (and once more by ``order_place``), so tampering gains nothing and no personal
data is parked in the session store while the shopper makes up their mind."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from strongroom.commerce.cart.selectors import CartSummary, cart_summary
from strongroom.commerce.checkout.services import order_place
from strongroom.commerce.customers.addressing import COUNTRIES
from strongroom.commerce.customers.errors import AddressNotFound
from strongroom.commerce.customers.selectors import (
    address_default_for_user,
    address_get_for_user,
    address_list_for_user,
)
from strongroom.commerce.orders.errors import CheckoutError, OrderNotFound
from strongroom.commerce.orders.selectors import order_get_by_reference, order_get_for_user
from strongroom.commerce.orders.shipping import SHIPPING_METHODS
from strongroom.commerce.payments.registry import gateway_get
from strongroom.commerce.payments.selectors import payment_latest
from strongroom.commerce.payments.tokens import pay_token
from strongroom.errors import ApplicationError
from strongroom.interfaces.web.middleware import allow_form_action

from ..feedback import error_flash, error_to_form
from ..forms.checkout import ContactAddressForm, ShippingForm
from ..shopper import cart_current, placed_references, placed_remember

_ADDRESS_FIELDS = ("full_name", "line1", "line2", "city", "postal_code", "country", "phone")


@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def checkout(request: HttpRequest) -> HttpResponse:
    # The order's redirect ends on the gateway's hosted page: allow it as a form target.
    return allow_form_action(_checkout(request), getattr(gateway_get(), "origin", ""))


def _checkout(request: HttpRequest) -> HttpResponse:
    cart = cart_current(request)
    summary = cart_summary(cart=cart)
    if summary.is_empty:
        messages.info(request, "Your cart is empty: add something before checking out.")
        return redirect("storefront:cart")
    if summary.problems:
        messages.error(request, "Some items in your cart need your attention first.")
        return redirect("storefront:cart")
    if request.method != "POST":
        form = ContactAddressForm(initial=_prefill(request))
        return _address_step(request, summary, form)

    step, back = request.POST.get("step"), request.POST.get("back")
    address_form = ContactAddressForm(request.POST)
    if back == "address":
        return _address_step(request, summary, address_form)
    if not address_form.is_valid():
        return _address_step(request, summary, address_form, status=400)
    shipping_form = ShippingForm(request.POST)
    shipping_ok = shipping_form.is_valid()
    if step == "address" or back == "shipping":
        return _shipping_step(request, summary, address_form, ShippingForm(
            initial={"shipping_method": request.POST.get("shipping_method", "standard")}))
    if not shipping_ok:
        return _shipping_step(request, summary, address_form, shipping_form, status=400)
    if step == "shipping":
        return _review_step(request, summary, address_form, shipping_form)
    if step != "review":
        return _address_step(request, summary, address_form, status=400)

    try:
        order, start = order_place(
            cart=cart, details=address_form.checkout_details(),
            shipping_method=shipping_form.cleaned_data["shipping_method"],
            user=request.user if request.user.is_authenticated else None,
        )
    except CheckoutError as exc:
        if exc.field in address_form.fields:
            error_to_form(address_form, exc)
            return _address_step(request, summary, address_form, status=exc.status)
        error_flash(request, exc)
        return redirect("storefront:cart")
    except ApplicationError as exc:  # OutOfStock: nothing was written, back to the cart
        error_flash(request, exc)
        return redirect("storefront:cart")
    placed_remember(request, order.reference)
    if start.redirect_url:
        return redirect(start.redirect_url)
    return redirect("storefront:order", reference=order.reference)


def _prefill(request: HttpRequest) -> dict:
    user = request.user
    if not user.is_authenticated:
        return {}
    initial = {"email": user.email, "full_name": user.full_name}
    address = None
    if "address" in request.GET:
        try:
            address = address_get_for_user(user=user, address_id=request.GET["address"])
        except AddressNotFound:
            messages.warning(request, "That saved address was not found.")
    address = address or address_default_for_user(user=user)
    if address is not None:
        initial.update({name: getattr(address, name) for name in _ADDRESS_FIELDS})
    return initial


def _carried(*forms_: ContactAddressForm | ShippingForm) -> list[tuple[str, str]]:
    return [(name, str(value)) for form in forms_ for name, value in form.cleaned_data.items()]


def _address_step(request: HttpRequest, summary: CartSummary, form: ContactAddressForm,
                  *, status: int = 200) -> HttpResponse:
    saved = list(address_list_for_user(user=request.user)) if (
        request.user.is_authenticated) else []
    return render(request, "storefront/checkout/address.html", {
        "step": "address", "form": form, "summary": summary, "shipping_cost": None,
        "saved_addresses": saved,
    }, status=status)


def _shipping_step(request: HttpRequest, summary: CartSummary, address_form: ContactAddressForm,
                   form: ShippingForm, *, status: int = 200) -> HttpResponse:
    selected = form.data.get("shipping_method") if form.is_bound else form.initial.get(
        "shipping_method")
    methods = [{"code": m.code, "name": m.name, "days": m.days, "free_from": m.free_from,
                "cost": m.cost(summary.subtotal)} for m in SHIPPING_METHODS.values()]
    return render(request, "storefront/checkout/shipping.html", {
        "step": "shipping", "form": form, "summary": summary, "shipping_cost": None,
        "methods": methods, "selected_method": selected, "carried": _carried(address_form),
    }, status=status)


def _review_step(request: HttpRequest, summary: CartSummary, address_form: ContactAddressForm,
                 shipping_form: ShippingForm) -> HttpResponse:
    method = SHIPPING_METHODS[shipping_form.cleaned_data["shipping_method"]]
    cost = method.cost(summary.subtotal)
    details = address_form.cleaned_data
    return render(request, "storefront/checkout/review.html", {
        "step": "review", "summary": summary, "details": details, "method": method,
        "country_name": COUNTRIES.get(details["country"], details["country"]),
        "shipping_cost": cost, "total": summary.subtotal + cost,
        "carried": _carried(address_form, shipping_form),
    })


@require_safe
@never_cache
def order_confirmation(request: HttpRequest, reference: str) -> HttpResponse:
    """Only the browser session that placed the order, or the account that owns it, sees
    it; for everyone else it does not exist."""
    try:
        if reference in placed_references(request):
            order = order_get_by_reference(reference=reference)
        elif request.user.is_authenticated:
            order = order_get_for_user(user=request.user, reference=reference)
        else:
            raise Http404
    except OrderNotFound:
        raise Http404 from None
    payment = payment_latest(order=order)
    pay_url = None
    if payment is not None and payment.gateway != "none" and order.status == "pending":
        pay_url = f"{reverse('storefront:checkout_pay', args=[reference])}?t={pay_token(payment)}"
    return render(request, "storefront/order_confirmation.html",
                  {"order": order, "payment": payment, "pay_url": pay_url})

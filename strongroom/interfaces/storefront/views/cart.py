"""The cart page and its three POST endpoints (add, update, remove)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from strongroom.commerce.cart.errors import CartError
from strongroom.commerce.cart.selectors import cart_summary
from strongroom.commerce.cart.services import cart_line_add, cart_line_remove, cart_line_set
from strongroom.commerce.catalog.errors import ProductNotFound
from strongroom.commerce.catalog.selectors import variant_get_available
from strongroom.errors import ApplicationError

from ..feedback import error_flash, error_page, error_to_form
from ..forms.cart import AddToCartForm, CartLineForm, CartRemoveForm
from ..shopper import cart_current, cart_current_or_create, cart_summary_current
from .catalog import product_page


@require_safe
@never_cache
def cart(request: HttpRequest) -> HttpResponse:
    return cart_page(request)


def cart_page(request: HttpRequest, *, status: int = 200) -> HttpResponse:
    summary = cart_summary_current(request)
    return render(request, "storefront/cart.html",
                  {"summary": summary, "cart_count": summary.count}, status=status)


@require_POST
def cart_add(request: HttpRequest) -> HttpResponse:
    form = AddToCartForm(request.POST)
    variant = None
    form.is_valid()
    if "variant" in form.cleaned_data:
        try:
            variant = variant_get_available(variant_id=form.cleaned_data["variant"])
        except ProductNotFound as exc:
            return error_page(request, exc)
    if variant is None:  # no usable variant id at all: no product page to show it on
        return error_page(request, CartError("Choose a product option to add to your cart.",
                                             field="variant"))
    slug = variant.product.slug
    if not form.is_valid():
        return product_page(request, slug=slug, form=form, status=400)
    try:
        cart_line_add(cart=cart_current_or_create(request), variant_id=variant.pk,
                      quantity=form.cleaned_data["quantity"])
    except ApplicationError as exc:
        error_to_form(form, exc)
        return product_page(request, slug=slug, form=form, status=exc.status)
    messages.success(request, f"Added {variant.display_name} to your cart.")
    return redirect("storefront:cart")


@require_POST
def cart_update(request: HttpRequest) -> HttpResponse:
    form = CartLineForm(request.POST)
    if not form.is_valid():
        messages.error(request, _first_error(form))
        return cart_page(request, status=400)
    current = cart_current(request)
    variant_id, quantity = form.cleaned_data["variant"], form.cleaned_data["quantity"]
    in_cart = {item.variant_id for item in cart_summary(cart=current).items}
    if current is None or variant_id not in in_cart:
        messages.error(request, "That item is not in your cart.")
        return cart_page(request, status=404)
    try:
        if quantity == 0:
            cart_line_remove(cart=current, variant_id=variant_id)
        else:
            cart_line_set(cart=current, variant_id=variant_id, quantity=quantity)
    except ApplicationError as exc:
        error_flash(request, exc)
        return cart_page(request, status=exc.status)
    messages.success(request, "Your cart is updated.")
    return redirect("storefront:cart")


@require_POST
def cart_remove(request: HttpRequest) -> HttpResponse:
    form = CartRemoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "That item is not in your cart.")
        return cart_page(request, status=400)
    current = cart_current(request)
    if current is not None:
        cart_line_remove(cart=current, variant_id=form.cleaned_data["variant"])
    messages.success(request, "The item is removed from your cart.")
    return redirect("storefront:cart")


def _first_error(form: CartLineForm) -> str:
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        return f"{label}: {errors[0]}" if label else errors[0]
    return "Please check the form."

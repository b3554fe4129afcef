"""Carts. A guest cart is opened by its `X-Cart-Token`; a customer sending a bearer token
works on their own account's cart. Either credential is the authorization: no cart id
ever appears in a URL, so there is nothing to enumerate."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from ninja import Path, Router, Status

from strongroom.commerce.cart import selectors, services
from strongroom.commerce.cart.models import Cart
from strongroom.protection.accounts.models import ApiToken

from . import presenters
from .errors import Error
from .schemas import MAX_ID, CartLineIn, CartOut, CartTokenOut, QuantityIn
from .security import bearer, cart_token

router = Router(tags=["cart"])
SHOPPER = [bearer, cart_token]
ERRORS = {400: Error, 401: Error, 404: Error, 409: Error, 413: Error, 415: Error, 422: Error}


def shopper_cart(request: HttpRequest, *, create: bool) -> Cart | None:
    """The requester's cart: the guest cart the auth step resolved, or the customer's."""
    if isinstance(request.auth, Cart):
        return request.auth
    assert isinstance(request.auth, ApiToken)  # noqa: S101 - the auth list allows only these
    user = request.auth.user
    cart = selectors.cart_for_user(user=user)
    if cart is None and create:
        try:
            with transaction.atomic():
                cart, _ = services.cart_create(user=user)
        except IntegrityError:  # a parallel request created it first
            cart = selectors.cart_for_user(user=user)
    return cart


def _cart_response(cart: Cart | None) -> dict:
    return presenters.cart(selectors.cart_summary(cart=cart))


@router.post("", response={201: CartTokenOut}, summary="Create a guest cart")
def cart_create(request: HttpRequest):
    _, token = services.cart_create()
    return Status(201, {"cart_token": token})


@router.get("", auth=SHOPPER, response={200: CartOut, 401: Error, 404: Error},
            summary="The cart's contents")
def cart_get(request: HttpRequest):
    return _cart_response(shopper_cart(request, create=False))


@router.post("/lines", auth=SHOPPER, response={200: CartOut, **ERRORS},
             summary="Add a quantity of a variant")
def cart_line_add(request: HttpRequest, payload: CartLineIn):
    cart = shopper_cart(request, create=True)
    services.cart_line_add(cart=cart, variant_id=payload.variant_id,
                           quantity=payload.quantity)
    return _cart_response(cart)


@router.put("/lines/{variant_id}", auth=SHOPPER, response={200: CartOut, **ERRORS},
            summary="Set the quantity of a variant")
def cart_line_set(request: HttpRequest, payload: QuantityIn,
                  variant_id: int = Path(..., ge=1, le=MAX_ID)):
    cart = shopper_cart(request, create=True)
    services.cart_line_set(cart=cart, variant_id=variant_id, quantity=payload.quantity)
    return _cart_response(cart)


@router.delete("/lines/{variant_id}", auth=SHOPPER,
               response={200: CartOut, 401: Error, 404: Error, 422: Error},
               summary="Remove a variant from the cart")
def cart_line_remove(request: HttpRequest, variant_id: int = Path(..., ge=1, le=MAX_ID)):
    cart = shopper_cart(request, create=False)
    if cart is not None:
        services.cart_line_remove(cart=cart, variant_id=variant_id)
    return _cart_response(cart)

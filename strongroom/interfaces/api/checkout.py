"""Checkout: turn the requester's cart into a pending order."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from strongroom.commerce.checkout.services import order_place
from strongroom.commerce.orders.errors import CheckoutError
from strongroom.commerce.orders.services import CheckoutDetails
from strongroom.commerce.orders.shipping import SHIPPING_METHODS
from strongroom.errors import Conflict
from strongroom.protection.accounts.models import ApiToken

from . import presenters
from .cart import SHOPPER, shopper_cart
from .errors import Error
from .schemas import CheckoutIn, CheckoutOut, ShippingMethodOut

router = Router(tags=["checkout"])


class CartEmpty(Conflict):
    """409, not 400: the request is valid by the document; the cart's state is not."""

    code = "cart_empty"


@router.get("/shipping-methods", response={200: list[ShippingMethodOut]},
            summary="Shipping methods and their prices")
def shipping_methods(request: HttpRequest):
    return [presenters.shipping_method(m) for m in SHIPPING_METHODS.values()]


@router.post("", auth=SHOPPER,
             response={201: CheckoutOut, 400: Error, 401: Error, 404: Error, 409: Error,
                       413: Error, 415: Error, 422: Error},
             summary="Place an order from the cart")
def checkout(request: HttpRequest, payload: CheckoutIn):
    """Stock is reserved atomically; if any line cannot be had the answer is 409 and
    nothing is written. Pay by sending the shopper to `payment.redirect_url`."""
    user = request.auth.user if isinstance(request.auth, ApiToken) else None
    cart = shopper_cart(request, create=False)
    if cart is None:
        raise CartEmpty("Your cart is empty.")
    details = CheckoutDetails(**payload.dict(exclude={"shipping_method"}))
    try:
        order, start = order_place(cart=cart, details=details,
                                   shipping_method=payload.shipping_method, user=user)
    except CheckoutError as exc:
        if exc.code == "cart_empty":
            raise CartEmpty(exc.message) from None
        raise
    return Status(201, {**presenters.order_detail(order),
                        "payment": {"redirect_url": start.redirect_url}})

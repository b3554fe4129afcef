"""Placing an order: the one use case that needs both orders and payments.

``order_place`` creates the pending order from the cart (``orders.order_create``: stock
reserved, totals, ORDER_PLACED) and opens its payment at the configured gateway
(``payments.payment_start``) in one transaction: an order never exists without its
payment, and a failure in either writes nothing. The walk then goes downward only:
checkout calls orders and payments, payments drives the order through orders' services
(paid, refunded), and orders imports neither."""

from __future__ import annotations

from django.db import transaction

from strongroom.commerce.cart.models import Cart
from strongroom.commerce.orders.models import Order
from strongroom.commerce.orders.services import CheckoutDetails, order_create
from strongroom.commerce.payments.ports import PaymentStart
from strongroom.commerce.payments.services import payment_start


def order_place(
    *, cart: Cart, details: CheckoutDetails, shipping_method: str, user=None,
    return_url: str | None = None,
) -> tuple[Order, PaymentStart]:
    """Turn the cart into a pending order and start paying for it; returns the order and
    where to send the shopper (``PaymentStart.redirect_url``, None while no gateway is
    configured). No network I/O: the hosted page is opened later, outside any transaction.

    Raises CheckoutError (a bad field, an empty cart, an unknown shipping method) or
    OutOfStock; then nothing is written and the cart is kept. The caller has resolved
    ``cart`` for this shopper (token or account) and passes the account as ``user``."""
    with transaction.atomic():
        order = order_create(cart=cart, details=details, shipping_method=shipping_method,
                             user=user)
        _, start = payment_start(order=order, return_url=return_url)
    return order, start

"""Who is shopping: the cart and the placed orders this request may reach.

A guest's cart is opened by the bearer token kept in their (server-side) session; an
account's cart by the account. The session also remembers which orders this browser
placed, which is the only thing that lets a guest see an order confirmation."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.http import HttpRequest

from strongroom.commerce.cart.models import Cart
from strongroom.commerce.cart.selectors import (
    CartSummary,
    cart_by_token,
    cart_for_user,
    cart_summary_empty,
    cart_summary_find,
)
from strongroom.commerce.cart.services import cart_create

CART_SESSION_KEY = "cart_token"
PLACED_SESSION_KEY = "placed_orders"
MAX_REMEMBERED_ORDERS = 20


def cart_current(request: HttpRequest) -> Cart | None:
    if request.user.is_authenticated:
        return cart_for_user(user=request.user)
    token = request.session.get(CART_SESSION_KEY)
    cart = cart_by_token(token=token) if isinstance(token, str) else None
    # A token that opens nothing, or opens an account's cart, is dropped: a guest session
    # can only ever reach an anonymous cart.
    if cart is None or cart.user_id is not None:
        if CART_SESSION_KEY in request.session:
            del request.session[CART_SESSION_KEY]
        return None
    return cart


def cart_summary_current(request: HttpRequest) -> CartSummary:
    """What ``cart_summary(cart=cart_current(request))`` gives, in one query: the cart page
    shows a cart and changes nothing, and it is per visitor, so it cannot be cached."""
    if request.user.is_authenticated:
        found = cart_summary_find(user=request.user)
    else:
        token = request.session.get(CART_SESSION_KEY)
        found = cart_summary_find(token=token) if isinstance(token, str) else None
        if found is None or found.user_id is not None:  # as cart_current: dropped
            if CART_SESSION_KEY in request.session:
                del request.session[CART_SESSION_KEY]
            found = None
    return found.summary if found is not None else cart_summary_empty()


def cart_current_or_create(request: HttpRequest) -> Cart:
    cart = cart_current(request)
    if cart is not None:
        return cart
    if request.user.is_authenticated:
        try:
            with transaction.atomic():
                cart, _ = cart_create(user=request.user)
        except IntegrityError:  # a parallel request created the account's cart
            cart = cart_for_user(user=request.user)
        return cart
    cart, token = cart_create()
    request.session[CART_SESSION_KEY] = token
    return cart


def cart_token_take(request: HttpRequest) -> str | None:
    """Remove and return the guest cart token (used when the guest logs in)."""
    token = request.session.pop(CART_SESSION_KEY, None)
    return token if isinstance(token, str) else None


def placed_remember(request: HttpRequest, reference: str) -> None:
    placed = placed_references(request)
    request.session[PLACED_SESSION_KEY] = [*placed, reference][-MAX_REMEMBERED_ORDERS:]


def placed_references(request: HttpRequest) -> list[str]:
    placed = request.session.get(PLACED_SESSION_KEY)
    if not isinstance(placed, list):
        return []
    return [ref for ref in placed if isinstance(ref, str)]

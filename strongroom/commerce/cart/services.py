"""Cart writes. A cart is reached only by its secret token or by its owner's account;
callers resolve the cart through ``selectors`` first, which is the authorization."""

from __future__ import annotations

import hashlib
import secrets

from django.db import IntegrityError, transaction
from django.db.models import F

from strongroom.commerce.catalog.selectors import variant_get_available

from .errors import MAX_CART_LINES, MAX_LINE_QUANTITY, CartError
from .models import Cart, CartLine


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def cart_create(*, user=None) -> tuple[Cart, str]:
    """A new cart and its bearer token (shown once; only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    return Cart.objects.create(token_hash=token_hash(token), user=user), token


def _check_quantity(quantity: object) -> int:
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise CartError("Quantity must be a whole number.", code="invalid_quantity",
                        field="quantity")
    if not 1 <= quantity <= MAX_LINE_QUANTITY:
        raise CartError(f"Quantity must be between 1 and {MAX_LINE_QUANTITY}.",
                        code="invalid_quantity", field="quantity")
    return quantity


def cart_line_set(*, cart: Cart, variant_id: int, quantity: int) -> CartLine:
    """Set the quantity of one variant in the cart (adding the line if needed)."""
    quantity = _check_quantity(quantity)
    variant = variant_get_available(variant_id=variant_id)
    if quantity > variant.stock:
        raise CartError(
            f"Only {variant.stock} of {variant.display_name} left in stock."
            if variant.stock else f"{variant.display_name} is out of stock.",
            code="insufficient_stock", field="quantity",
        )
    with transaction.atomic():
        line = CartLine.objects.filter(cart=cart, variant=variant).first()
        if line is None:
            if cart.lines.count() >= MAX_CART_LINES:
                raise CartError(f"A cart holds at most {MAX_CART_LINES} different items.",
                                code="cart_full")
            line = CartLine.objects.create(cart=cart, variant=variant, quantity=quantity)
        else:
            line.quantity = quantity
            line.save(update_fields=["quantity"])
        Cart.objects.filter(pk=cart.pk).update(updated_at=line.added_at)
    return line


def cart_line_add(*, cart: Cart, variant_id: int, quantity: int = 1) -> CartLine:
    _check_quantity(quantity)
    existing = CartLine.objects.filter(cart=cart, variant_id=variant_id).first()
    current = existing.quantity if existing else 0
    if current + quantity > MAX_LINE_QUANTITY:
        raise CartError(f"Quantity must be between 1 and {MAX_LINE_QUANTITY}.",
                        code="invalid_quantity", field="quantity")
    return cart_line_set(cart=cart, variant_id=variant_id, quantity=current + quantity)


def cart_line_remove(*, cart: Cart, variant_id: int) -> None:
    CartLine.objects.filter(cart=cart, variant_id=variant_id).delete()


def cart_clear(*, cart: Cart) -> None:
    cart.lines.all().delete()


def cart_merge_into_user(*, cart: Cart | None, user) -> Cart | None:
    """At login: move the anonymous cart's lines into the account's cart.

    Quantities add up (capped at the per-line maximum); the anonymous cart is deleted
    so its token stops working."""
    if cart is not None and cart.user_id == user.pk:
        return cart
    with transaction.atomic():
        target = Cart.objects.select_for_update().filter(user=user).first()
        if cart is None:
            return target
        if target is None:
            try:
                with transaction.atomic():
                    # New token hash: the anonymous bearer token must not open an
                    # account's cart once it belongs to someone.
                    Cart.objects.filter(pk=cart.pk, user__isnull=True).update(
                        user=user, token_hash=token_hash(secrets.token_urlsafe(32))
                    )
            except IntegrityError:  # a parallel login created the user's cart first
                target = Cart.objects.get(user=user)
            else:
                cart.user = user
                return cart
        for line in cart.lines.all():
            updated = CartLine.objects.filter(cart=target, variant_id=line.variant_id).update(
                quantity=F("quantity") + line.quantity
            )
            if updated:
                CartLine.objects.filter(
                    cart=target, quantity__gt=MAX_LINE_QUANTITY
                ).update(quantity=MAX_LINE_QUANTITY)
            else:
                CartLine.objects.create(cart=target, variant_id=line.variant_id,
                                        quantity=line.quantity)
        cart.delete()
        return target

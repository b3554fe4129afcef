from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings

from .models import Cart
from .services import token_hash

MAX_TOKEN_LENGTH = 128


def cart_by_token(*, token: str | None) -> Cart | None:
    """The anonymous cart that ``token`` opens, or None (a wrong token reveals nothing)."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    return Cart.objects.filter(token_hash=token_hash(token)).first()


def cart_for_user(*, user) -> Cart | None:
    return Cart.objects.filter(user=user).first()


@dataclass(frozen=True)
class CartItem:
    variant_id: int
    sku: str
    product_name: str
    product_slug: str
    variant_name: str
    unit_price: Decimal
    quantity: int
    stock: int
    available: bool

    @property
    def line_total(self) -> Decimal:
        return self.unit_price * self.quantity


@dataclass(frozen=True)
class CartSummary:
    currency: str
    items: list[CartItem] = field(default_factory=list)

    @property
    def subtotal(self) -> Decimal:
        return sum((item.line_total for item in self.items), Decimal("0.00"))

    @property
    def count(self) -> int:
        return sum(item.quantity for item in self.items)

    @property
    def is_empty(self) -> bool:
        return not self.items

    @property
    def problems(self) -> list[str]:
        out = []
        for item in self.items:
            if not item.available:
                out.append(f"{item.product_name} is no longer available.")
            elif item.quantity > item.stock:
                out.append(f"Only {item.stock} of {item.product_name} left in stock.")
        return out


# What a cart line shows, read as tuples: the cart page is per visitor (nothing to cache),
# and building three model instances per line for ten values was its largest cost after
# rendering.
_LINE_COLUMNS = ("variant_id", "variant__sku", "variant__product__name",
                 "variant__product__slug", "variant__name", "variant__price", "quantity",
                 "variant__stock", "variant__is_active", "variant__product__is_active")


def _item(row: tuple) -> CartItem:
    (variant_id, sku, product_name, product_slug, variant_name, price, quantity, stock,
     variant_active, product_active) = row
    return CartItem(variant_id=variant_id, sku=sku, product_name=product_name,
                    product_slug=product_slug, variant_name=variant_name, unit_price=price,
                    quantity=quantity, stock=stock, available=variant_active and product_active)


def cart_summary_empty() -> CartSummary:
    return CartSummary(currency=settings.STRONGROOM_CURRENCY)


def cart_summary(*, cart: Cart | None) -> CartSummary:
    if cart is None:
        return cart_summary_empty()
    rows = cart.lines.order_by("added_at", "id").values_list(*_LINE_COLUMNS)
    return CartSummary(currency=settings.STRONGROOM_CURRENCY, items=[_item(r) for r in rows])


@dataclass(frozen=True)
class CartFound:
    """A cart found with its summary in one query: ``user_id`` says whose it is."""

    user_id: object | None
    summary: CartSummary


def cart_summary_find(*, token: str | None = None, user=None) -> CartFound | None:
    """The cart that ``token`` opens (or ``user``'s cart) and its lines, in one query (the
    cart LEFT JOINed to its lines; a cart without lines is one row of NULLs), or None
    when there is no such cart. For the pages that only show a cart."""
    if user is not None:
        carts = Cart.objects.filter(user=user)
    elif token and len(token) <= MAX_TOKEN_LENGTH:
        carts = Cart.objects.filter(token_hash=token_hash(token))
    else:
        return None
    lines = tuple(f"lines__{column}" for column in _LINE_COLUMNS)
    rows = list(carts.order_by("lines__added_at", "lines__id").values_list("user_id", *lines))
    if not rows:
        return None
    items = [_item(row[1:]) for row in rows if row[1] is not None]
    return CartFound(user_id=rows[0][0],
                     summary=CartSummary(currency=settings.STRONGROOM_CURRENCY, items=items))

"""Catalog writes. Callers (the console) have checked the user may manage products.

Every change is an audit event in the change's own transaction: a price or stock edited
by a compromised staff account (a 0.01 price before a bulk order, a product swapped for
a look-alike) is on the record with who did it. ``actor`` is the staff member, or None
for the store itself (the demo catalog, imports)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.text import slugify

from strongroom.commerce import money
from strongroom.protection.audit.events import Actor, AuditEvent
from strongroom.protection.audit.services import audit_record

from .errors import CatalogError
from .models import Category, Product, Variant


def _who(actor: Any) -> Actor | Any:
    return actor if actor is not None else Actor.system("catalog")


def _price(price: Decimal | str | int) -> Decimal:
    """A price the store's currency can charge: no fraction of a yen."""
    try:
        value = Decimal(str(price))
    except InvalidOperation:
        raise CatalogError("Enter the price as a number.", field="price") from None
    if not value.is_finite() or value < 0:
        raise CatalogError("Price cannot be negative.", field="price")
    places = money.places(settings.STRONGROOM_CURRENCY)
    if value != value.quantize(Decimal(1).scaleb(-places)):
        raise CatalogError(f"{settings.STRONGROOM_CURRENCY} prices have at most {places} "
                           "decimals." if places else
                           f"{settings.STRONGROOM_CURRENCY} prices are whole numbers.",
                           field="price")
    return value


def _unique_slug(model: type, base: str, *, exclude_pk: int | None = None) -> str:
    root = slugify(base)[:200] or "item"
    slug, n = root, 2
    while model.objects.filter(slug=slug).exclude(pk=exclude_pk).exists():
        slug, n = f"{root}-{n}", n + 1
    return slug


def category_create(*, name: str, description: str = "", position: int = 0,
                    actor: Any = None) -> Category:
    with transaction.atomic():
        category = Category.objects.create(
            name=name, slug=_unique_slug(Category, name), description=description,
            position=position)
        audit_record(event=AuditEvent.CATEGORY_CREATED, actor=_who(actor), object=category)
    return category


def product_create(
    *, name: str, description: str = "", category: Category | None = None,
    is_active: bool = True, variants: list[dict] | None = None, actor: Any = None,
) -> Product:
    """PRODUCT_CREATED, then VARIANT_CREATED for each variant."""
    with transaction.atomic():
        product = Product.objects.create(
            name=name, slug=_unique_slug(Product, name), description=description,
            category=category, is_active=is_active,
        )
        audit_record(event=AuditEvent.PRODUCT_CREATED, actor=_who(actor), object=product)
        for position, spec in enumerate(variants or []):
            variant_create(product=product, position=position, actor=actor, **spec)
    return product


def product_update(*, product: Product, actor: Any = None, **fields) -> Product:
    """PRODUCT_UPDATED naming the fields whose value changed (none changed: no event)."""
    allowed = {"name", "description", "category", "is_active", "image"}
    unknown = set(fields) - allowed
    if unknown:  # mass-assignment guard: only listed fields can be set
        raise CatalogError(f"Cannot set {', '.join(sorted(unknown))}.")
    changed = [key for key, value in fields.items()
               if key == "image" or getattr(product, key) != value]
    for key, value in fields.items():
        setattr(product, key, value)
    product.full_clean(exclude=["slug"])
    with transaction.atomic():
        product.save()
        if changed:
            audit_record(event=AuditEvent.PRODUCT_UPDATED, actor=_who(actor), object=product,
                         fields=sorted(changed))
    return product


def variant_create(
    *, product: Product, sku: str, price: Decimal, stock: int = 0, name: str = "",
    position: int = 0, actor: Any = None,
) -> Variant:
    if stock < 0:
        raise CatalogError("Stock cannot be negative.", field="stock")
    value = _price(price)
    if Variant.objects.filter(sku=sku).exists():
        raise CatalogError(f"SKU {sku} is already used.", field="sku")
    with transaction.atomic():
        variant = Variant.objects.create(
            product=product, sku=sku, price=value, stock=stock, name=name, position=position)
        audit_record(event=AuditEvent.VARIANT_CREATED, actor=_who(actor), object=variant,
                     reason=f"sku {sku} price {value} {variant.currency} stock {stock}")
    return variant


def variant_update(
    *, variant: Variant, price: Decimal | None = None, stock: int | None = None,
    name: str | None = None, is_active: bool | None = None, actor: Any = None,
) -> Variant:
    """In this order, for what changed: PRICE_CHANGED, STOCK_CHANGED, VARIANT_UPDATED
    (name, availability). The row is locked so the "old" value recorded is the one the
    change replaced, not a stale read."""
    if stock is not None and stock < 0:
        raise CatalogError("Stock cannot be negative.", field="stock")
    new_price = _price(price) if price is not None else None
    who = _who(actor)
    with transaction.atomic():
        locked = Variant.objects.select_for_update().get(pk=variant.pk)
        events: list[tuple[AuditEvent, list[str], str]] = []
        if new_price is not None and new_price != locked.price:
            events.append((AuditEvent.PRICE_CHANGED, ["price"],
                           f"{locked.price} -> {new_price} {locked.currency}"))
            locked.price = new_price
        if stock is not None and stock != locked.stock:
            events.append((AuditEvent.STOCK_CHANGED, ["stock"], f"{locked.stock} -> {stock}"))
            locked.stock = stock
        other = [key for key, value in (("name", name), ("is_active", is_active))
                 if value is not None and getattr(locked, key) != value]
        for key in other:
            setattr(locked, key, name if key == "name" else is_active)
        if other:
            events.append((AuditEvent.VARIANT_UPDATED, other, ""))
        locked.save()
        for event, names, reason in events:
            audit_record(event=event, actor=who, object=locked, fields=names, reason=reason)
    for key in ("price", "stock", "name", "is_active"):
        setattr(variant, key, getattr(locked, key))
    return variant

"""Catalog writes. Callers (the console) have checked the user may manage products."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils.text import slugify

from .errors import CatalogError
from .models import Category, Product, Variant


def _unique_slug(model: type, base: str, *, exclude_pk: int | None = None) -> str:
    root = slugify(base)[:200] or "item"
    slug, n = root, 2
    while model.objects.filter(slug=slug).exclude(pk=exclude_pk).exists():
        slug, n = f"{root}-{n}", n + 1
    return slug


def category_create(*, name: str, description: str = "", position: int = 0) -> Category:
    return Category.objects.create(
        name=name, slug=_unique_slug(Category, name), description=description, position=position
    )


def product_create(
    *, name: str, description: str = "", category: Category | None = None,
    is_active: bool = True, variants: list[dict] | None = None,
) -> Product:
    with transaction.atomic():
        product = Product.objects.create(
            name=name, slug=_unique_slug(Product, name), description=description,
            category=category, is_active=is_active,
        )
        for position, spec in enumerate(variants or []):
            variant_create(product=product, position=position, **spec)
    return product


def product_update(*, product: Product, **fields) -> Product:
    allowed = {"name", "description", "category", "is_active", "image"}
    unknown = set(fields) - allowed
    if unknown:  # mass-assignment guard: only listed fields can be set
        raise CatalogError(f"Cannot set {', '.join(sorted(unknown))}.")
    for key, value in fields.items():
        setattr(product, key, value)
    product.full_clean(exclude=["slug"])
    product.save()
    return product


def variant_create(
    *, product: Product, sku: str, price: Decimal, stock: int = 0, name: str = "",
    position: int = 0,
) -> Variant:
    if stock < 0:
        raise CatalogError("Stock cannot be negative.", field="stock")
    if Decimal(price) < 0:
        raise CatalogError("Price cannot be negative.", field="price")
    if Variant.objects.filter(sku=sku).exists():
        raise CatalogError(f"SKU {sku} is already used.", field="sku")
    return Variant.objects.create(
        product=product, sku=sku, price=Decimal(price), stock=stock, name=name, position=position
    )


def variant_update(
    *, variant: Variant, price: Decimal | None = None, stock: int | None = None,
    name: str | None = None, is_active: bool | None = None,
) -> Variant:
    if stock is not None and stock < 0:
        raise CatalogError("Stock cannot be negative.", field="stock")
    if price is not None and Decimal(price) < 0:
        raise CatalogError("Price cannot be negative.", field="price")
    changes = {"price": price, "stock": stock, "name": name, "is_active": is_active}
    for key, value in changes.items():
        if value is not None:
            setattr(variant, key, value)
    variant.save()
    return variant

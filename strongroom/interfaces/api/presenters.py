"""Model -> response dict, field by field: nothing reaches a client unless listed here."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.paginator import Page

from strongroom.commerce.cart.selectors import CartSummary
from strongroom.commerce.catalog.models import Product
from strongroom.commerce.orders.models import Order
from strongroom.commerce.orders.shipping import ShippingMethod


def money(value: Decimal | None) -> str | None:
    return None if value is None else f"{Decimal(value):.2f}"


def page_meta(page: Page) -> dict:
    return {"page": page.number, "pages": page.paginator.num_pages,
            "page_size": page.paginator.per_page, "total": page.paginator.count}


def _category_ref(product: Product) -> dict | None:
    category = product.category
    return {"slug": category.slug, "name": category.name} if category else None


def product_summary(product: Product) -> dict:
    variants = list(product.variants.all())  # prefetched: active variants only
    return {
        "slug": product.slug, "name": product.name, "category": _category_ref(product),
        "min_price": money(getattr(product, "min_price", None)),
        "currency": variants[0].currency if variants else settings.STRONGROOM_CURRENCY,
        "in_stock": any(v.stock > 0 for v in variants),
        "image_url": product.image.url if product.image else None,
    }


def product_detail(product: Product) -> dict:
    return {
        **product_summary(product),
        "description": product.description,
        "variants": [
            {"id": v.pk, "sku": v.sku, "name": v.name, "price": money(v.price),
             "currency": v.currency, "in_stock": v.stock > 0}
            for v in product.variants.all()
        ],
    }


def cart(summary: CartSummary) -> dict:
    return {
        "currency": summary.currency,
        "items": [
            {"variant_id": i.variant_id, "sku": i.sku, "product_name": i.product_name,
             "product_slug": i.product_slug, "variant_name": i.variant_name,
             "unit_price": money(i.unit_price), "quantity": i.quantity,
             "line_total": money(i.line_total), "available": i.available}
            for i in summary.items
        ],
        "count": summary.count,
        "subtotal": money(summary.subtotal),
        "problems": summary.problems,
    }


def shipping_method(method: ShippingMethod) -> dict:
    return {"code": method.code, "name": method.name, "price": money(method.price),
            "days": method.days, "free_from": money(method.free_from)}


def order_summary(order: Order) -> dict:
    lines = list(order.lines.all())
    return {
        "reference": order.reference, "status": order.status,
        "status_label": order.get_status_display(), "created_at": order.created_at,
        "totals": {"currency": order.currency, "subtotal": money(order.subtotal),
                   "shipping": money(order.shipping_total), "total": money(order.total)},
        "item_count": sum(line.quantity for line in lines),
    }


def order_detail(order: Order) -> dict:
    """The customer's own order, with the contact details they entered."""
    return {
        **order_summary(order),
        "email": order.email,
        "shipping_method": order.shipping_method,
        "shipping_address": {
            "full_name": order.full_name, "line1": order.line1, "line2": order.line2,
            "city": order.city, "postal_code": order.postal_code, "country": order.country,
            "phone": order.phone,
        },
        "lines": [
            {"product_name": line.product_name, "sku": line.sku,
             "unit_price": money(line.unit_price), "quantity": line.quantity,
             "line_total": money(line.line_total)}
            for line in order.lines.all()
        ],
    }

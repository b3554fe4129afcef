"""Browsing: home, category, product and search pages (GET only, public)."""

from __future__ import annotations

import unicodedata

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from strongroom.commerce.catalog.cache import catalog_cached
from strongroom.commerce.catalog.errors import ProductNotFound
from strongroom.commerce.catalog.selectors import (
    MAX_QUERY_LENGTH,
    category_get,
    category_list,
    product_get,
    product_search,
)

from ..forms.cart import AddToCartForm

FEATURED_COUNT = 8


def query_clean(raw: str) -> str:
    """Printable text only, bounded: control characters (NUL breaks PostgreSQL) dropped."""
    text = "".join(ch for ch in raw[: MAX_QUERY_LENGTH * 4]
                   if unicodedata.category(ch)[0] != "C")
    return " ".join(text.split())[:MAX_QUERY_LENGTH]


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    featured = product_search(page=1, per_page=FEATURED_COUNT).object_list
    return render(request, "storefront/home.html",
                  {"categories": category_list(), "featured": featured})


@require_safe
def category(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        found = category_get(slug=slug)
    except ProductNotFound:
        raise Http404 from None
    page = product_search(category=found, page=request.GET.get("page", 1))
    return render(request, "storefront/category.html", {"category": found, "page": page})


@require_safe
def product(request: HttpRequest, slug: str) -> HttpResponse:
    return product_page(request, slug=slug, form=AddToCartForm())


def product_page(request: HttpRequest, *, slug: str, form: AddToCartForm,
                 status: int = 200) -> HttpResponse:
    """The product page, also re-rendered by the add-to-cart view with its errors."""
    try:
        found = catalog_cached(("product-page", slug), lambda: product_get(slug=slug))
    except ProductNotFound:
        raise Http404 from None
    variants = list(found.variants.all())
    chosen = form.data.get("variant") if form.is_bound else None
    in_stock = [v.pk for v in variants if v.stock > 0]
    selected = next((v.pk for v in variants if str(v.pk) == chosen), None) or (
        in_stock[0] if in_stock else None)
    return render(request, "storefront/product.html", {
        "product": found, "variants": variants, "form": form, "selected_variant": selected,
    }, status=status)


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    query = query_clean(request.GET.get("q", ""))
    page = product_search(query=query, page=request.GET.get("page", 1))
    return render(request, "storefront/search.html", {"query": query, "page": page})

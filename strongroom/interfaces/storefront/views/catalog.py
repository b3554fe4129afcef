"""Browsing: home, category, product and search pages (GET only, public)."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
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


def page_number(raw: object) -> int:
    """The page asked for, as the cache key sees it: junk is page 1, so ``?page=abc1``,
    ``abc2``... cannot fill the cache with copies of it."""
    try:
        return max(1, min(int(str(raw)), 10_000))
    except ValueError:
        return 1


def listing(parts: tuple, template: str, build: Callable[[], dict]) -> SafeString:
    """The part of a listing page that is the same for every visitor (product cards,
    counts, pagination: no cart, user, CSRF token or CSP nonce in it), rendered once
    per catalog version. Any change to a product, variant, price, stock or category
    makes a new version (``catalog.cache``), so the cache is never stale by design."""
    html = catalog_cached(("html", *parts), lambda: render_to_string(template, build()))
    return mark_safe(html)  # noqa: S308 - our own template's output, autoescaped


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    grid = listing(("home",), "storefront/includes/home_listing.html", lambda: {
        "categories": list(category_list()),
        "featured": product_search(page=1, per_page=FEATURED_COUNT).object_list})
    return render(request, "storefront/home.html", {"listing": grid})


@require_safe
def category(request: HttpRequest, slug: str) -> HttpResponse:
    slug = slug[:220]
    try:
        found = catalog_cached(("category", slug), lambda: category_get(slug=slug))
    except ProductNotFound:
        raise Http404 from None
    number = page_number(request.GET.get("page", 1))
    grid = listing(("category", slug, number), "storefront/includes/category_listing.html",
                   lambda: {"category": found,
                            "page": product_search(category=found, page=number)})
    return render(request, "storefront/category.html", {"category": found, "listing": grid})


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
    number = page_number(request.GET.get("page", 1))
    grid = listing(("search", query, number), "storefront/includes/search_listing.html",
                   lambda: {"query": query,
                            "page": product_search(query=query, page=number)})
    return render(request, "storefront/search.html", {"query": query, "listing": grid})

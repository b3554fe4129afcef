"""Catalog reads: public, no authentication."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field as F
from ninja import Query, Router

from strongroom.commerce.catalog import selectors
from strongroom.commerce.catalog.cache import catalog_cached
from strongroom.commerce.catalog.errors import ProductNotFound

from . import presenters
from .errors import Error
from .schemas import CategoryOut, ProductDetail, ProductPage, TextSchema

router = Router(tags=["catalog"])

MAX_PAGE_SIZE = 100
MAX_PAGE = 10_000


class ProductFilters(TextSchema):
    q: str = F("", max_length=selectors.MAX_QUERY_LENGTH, description="Search text")
    category: str | None = F(None, max_length=140, description="A category slug")
    page: int = F(1, ge=1, le=MAX_PAGE)
    page_size: int = F(selectors.PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


@router.get("/categories", response={200: list[CategoryOut]}, summary="List categories")
def categories(request: HttpRequest):
    return [{"slug": c.slug, "name": c.name, "description": c.description}
            for c in selectors.category_list()]


@router.get("/products", response={200: ProductPage, 404: Error, 422: Error},
            summary="Search products")
def products(request: HttpRequest, filters: Query[ProductFilters]):
    def build() -> dict:
        category = selectors.category_get(slug=filters.category) if filters.category else None
        page = selectors.product_search(query=filters.q, category=category, page=filters.page,
                                        per_page=filters.page_size)
        if page.number != filters.page:  # Paginator clamps; an API says the page is not there
            raise ProductNotFound(f"There are only {page.paginator.num_pages} pages.",
                                  code="page_not_found")
        return {**presenters.page_meta(page),
                "items": [presenters.product_summary(p) for p in page.object_list]}

    return catalog_cached(
        ("products", filters.q, filters.category, filters.page, filters.page_size), build
    )


@router.get("/products/{slug}", response={200: ProductDetail, 404: Error},
            summary="One product with its variants")
def product(request: HttpRequest, slug: str):
    if "\x00" in slug:
        raise ProductNotFound("No such product.")
    return catalog_cached(
        ("product", slug),
        lambda: presenters.product_detail(selectors.product_get(slug=slug)),
    )

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import Min, Prefetch, Q, QuerySet

from .errors import ProductNotFound
from .models import Category, Product, Variant

PAGE_SIZE = 24
MAX_QUERY_LENGTH = 100


def category_list() -> QuerySet[Category]:
    return Category.objects.all()


def category_get(*, slug: str) -> Category:
    try:
        return Category.objects.get(slug=slug)
    except Category.DoesNotExist:
        raise ProductNotFound("No such category.", code="category_not_found") from None


def _storefront_products() -> QuerySet[Product]:
    active_variants = Variant.objects.filter(is_active=True)
    return (
        Product.objects.filter(is_active=True, variants__is_active=True)
        .select_related("category")
        .annotate(min_price=Min("variants__price", filter=Q(variants__is_active=True)))
        .prefetch_related(Prefetch("variants", queryset=active_variants))
        .distinct()
        .order_by("name")
    )


def product_search(
    *, query: str = "", category: Category | None = None, page: int = 1, per_page: int = PAGE_SIZE
) -> Page:
    """Active products matching ``query`` in name, description or SKU, one page of them."""
    products = _storefront_products()
    query = query.strip()[:MAX_QUERY_LENGTH]
    if query:
        products = products.filter(
            Q(name__icontains=query) | Q(description__icontains=query)
            | Q(variants__sku__iexact=query)
        )
    if category is not None:
        products = products.filter(category=category)
    return Paginator(products, per_page).get_page(page)


def product_get(*, slug: str) -> Product:
    try:
        return _storefront_products().get(slug=slug)
    except Product.DoesNotExist:
        raise ProductNotFound("No such product.") from None


def variant_get_available(*, variant_id: int) -> Variant:
    try:
        return Variant.objects.select_related("product").get(
            pk=variant_id, is_active=True, product__is_active=True
        )
    except (Variant.DoesNotExist, ValueError, TypeError):
        raise ProductNotFound("No such product variant.", code="variant_not_found") from None

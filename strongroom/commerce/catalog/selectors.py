from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum

from strongroom.sharedcache import cache_get, cache_set

from .cache import catalog_cache_on
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
    """Active products that have an active variant, variants prefetched.

    EXISTS rather than a JOIN: no DISTINCT and no GROUP BY on the busiest queries, and
    ``Product.min_price`` is read from the prefetched variants."""
    active_variants = Variant.objects.filter(is_active=True)
    return (
        Product.objects.filter(is_active=True)
        .filter(Exists(active_variants.filter(product=OuterRef("pk"))))
        .select_related("category")
        .prefetch_related(Prefetch("variants", queryset=active_variants))
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
            | Exists(Variant.objects.filter(product=OuterRef("pk"), sku__iexact=query))
        )
    if category is not None:
        products = products.filter(category=category)
    return Paginator(products, per_page).get_page(page)


def product_get(*, slug: str) -> Product:
    """One active product with its active variants (prefetched) and ``min_price``.

    Two plain indexed queries: the hottest page of the store should not pay for the
    aggregate-and-DISTINCT query that listing pages need."""
    product = (
        Product.objects.filter(slug=slug[:220], is_active=True)
        .select_related("category")
        .prefetch_related(Prefetch("variants", queryset=Variant.objects.filter(is_active=True)))
        .first()
    )
    variants = product.variants.all() if product is not None else []
    if not variants:
        raise ProductNotFound("No such product.")
    return product


NAV_CACHE_KEY = "catalog:nav:v1"
NAV_CACHE_SECONDS = 300
NAV_SIZE = 8


def category_nav() -> list[dict[str, str]]:
    """The header's category links, from the shared cache (cleared whenever a category
    changes, see ``signals``): every page shows them, none should query for them."""
    nav = cache_get(NAV_CACHE_KEY) if catalog_cache_on() else None
    if nav is None:
        nav = [{"name": c.name, "slug": c.slug} for c in category_list()[:NAV_SIZE]]
        cache_set(NAV_CACHE_KEY, nav, NAV_CACHE_SECONDS)
    return nav  # type: ignore[return-value]


def variant_get_available(*, variant_id: int) -> Variant:
    try:
        return Variant.objects.select_related("product").get(
            pk=variant_id, is_active=True, product__is_active=True
        )
    except (Variant.DoesNotExist, ValueError, TypeError):
        raise ProductNotFound("No such product variant.", code="variant_not_found") from None


# --- Staff reads (console): inactive products included; callers checked staff access ---
LOW_STOCK_THRESHOLD = 5


def product_list_for_staff(*, query: str = "", page: int | str = 1, per_page: int = 25) -> Page:
    """Every product, active or not, matching ``query`` in name or SKU, one page of them."""
    products = Product.objects.select_related("category").annotate(
        variant_count=Count("variants", distinct=True),
        stock_total=Sum("variants__stock"),
    ).order_by("name", "id")
    query = query.strip()[:MAX_QUERY_LENGTH]
    if query:
        matching = Variant.objects.filter(sku__icontains=query).values("product_id")
        products = products.filter(Q(name__icontains=query) | Q(pk__in=matching))
    return Paginator(products, per_page).get_page(page)


def product_get_for_staff(*, product_id: int) -> Product:
    try:
        return Product.objects.select_related("category").prefetch_related("variants").get(
            pk=product_id
        )
    except (Product.DoesNotExist, ValueError, TypeError):
        raise ProductNotFound("No such product.") from None


def variant_get_for_product(*, product: Product, variant_id: int) -> Variant:
    """A variant of ``product`` only: another product's variant id reads as not found."""
    try:
        return Variant.objects.get(pk=variant_id, product=product)
    except (Variant.DoesNotExist, ValueError, TypeError):
        raise ProductNotFound("No such product variant.", code="variant_not_found") from None


def variant_sku_exists(*, sku: str) -> bool:
    return Variant.objects.filter(sku=sku).exists()


def variant_list_low_stock(
    *, threshold: int = LOW_STOCK_THRESHOLD, limit: int = 20
) -> QuerySet[Variant]:
    return (
        Variant.objects.filter(is_active=True, product__is_active=True, stock__lte=threshold)
        .select_related("product")
        .order_by("stock", "sku")[:limit]
    )

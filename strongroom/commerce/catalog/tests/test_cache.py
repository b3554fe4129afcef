"""The API's catalog cache never shows what changed: every change replaces the version."""

import pytest

from strongroom.commerce.cart import services as cart_services
from strongroom.commerce.catalog.services import product_update, variant_update
from strongroom.commerce.checkout.services import order_place
from strongroom.commerce.orders.services import order_transition
from strongroom.testing.factories import details_make, product_make

pytestmark = pytest.mark.django_db(transaction=True)  # on_commit hooks must really run


def _listed(client, slug):
    items = client.get("/api/catalog/products", secure=True).json()["items"]
    return next((item for item in items if item["slug"] == slug), None)


def test_listing_follows_edits_and_stock_moved_by_orders(client):
    product = product_make(name="Cached Thing", stock=1, price="5.00")
    variant = product.variants.get()
    assert _listed(client, product.slug)["in_stock"] is True

    cart, _ = cart_services.cart_create()
    cart_services.cart_line_set(cart=cart, variant_id=variant.pk, quantity=1)
    order, _ = order_place(cart=cart, details=details_make(), shipping_method="standard")
    assert _listed(client, product.slug)["in_stock"] is False  # sold out by an order

    order_transition(order=order, to_status="cancelled")
    assert _listed(client, product.slug)["in_stock"] is True  # stock returned

    variant_update(variant=variant, price=7)
    detail = client.get(f"/api/catalog/products/{product.slug}", secure=True).json()
    assert detail["variants"][0]["price"] == "7.00"

    product_update(product=product, is_active=False)
    assert _listed(client, product.slug) is None
    assert client.get(f"/api/catalog/products/{product.slug}", secure=True).status_code == 404


def test_product_page_follows_stock_and_price_changes(client):
    product = product_make(name="Paged Thing", stock=1, price="5.00")
    variant = product.variants.get()
    url = f"/p/{product.slug}/"
    assert "Only 1 left" in client.get(url, secure=True).content.decode()
    cart, _ = cart_services.cart_create()
    cart_services.cart_line_set(cart=cart, variant_id=variant.pk, quantity=1)
    order_place(cart=cart, details=details_make(), shipping_method="standard")
    page = client.get(url, secure=True).content.decode()
    assert "out of stock" in page.lower() and "Only 1 left" not in page
    variant_update(variant=variant, price=9, stock=3)
    page = client.get(url, secure=True).content.decode()
    assert "9.00" in page and "5.00" not in page
    product_update(product=product, is_active=False)
    assert client.get(url, secure=True).status_code == 404


def test_with_redis_down_the_catalog_is_read_from_the_database(client, redis_down, caplog):
    """An outage of the shared cache is not an outage of the store: pages and API answer,
    edits show at once, and the outage is logged once (not once per request)."""
    product = product_make(name="Outage Teapot", stock=3, price="9.00")
    with caplog.at_level("WARNING", logger="strongroom.security"):
        assert client.get("/", secure=True).status_code == 200
        assert _listed(client, product.slug)["in_stock"] is True
        page = client.get(f"/p/{product.slug}/", secure=True)
        assert page.status_code == 200 and "Outage Teapot" in page.content.decode()
        product_update(product=product, is_active=False)  # its cache bump fails quietly
        assert _listed(client, product.slug) is None
    outages = [r for r in caplog.records if "shared cache (Redis) unavailable" in r.message]
    assert len(outages) == 1 and "ConnectionError" in outages[0].getMessage()

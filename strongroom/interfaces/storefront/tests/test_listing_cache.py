"""Home, category and search pages serve their product listing from the catalog cache
(no catalog query when warm), never show a stale price, stock or product, and never
share anything per visitor (cart, CSRF token, CSP nonce) between visitors."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from strongroom.commerce.cart import services as cart_services
from strongroom.commerce.catalog.services import (
    category_create,
    product_update,
    variant_update,
)
from strongroom.commerce.checkout.services import order_place
from strongroom.commerce.orders.services import order_transition
from strongroom.testing.factories import details_make, product_make

pytestmark = pytest.mark.django_db(transaction=True)  # on_commit hooks must really run


@pytest.fixture
def shelf(db):
    category = category_create(name="Teapots", description="For tea.")
    product = product_make(name="Cached Teapot", price="5.00", stock=1, category=category)
    return category, product


def _pages(category, product) -> list[str]:
    return ["/", f"/c/{category.slug}/", "/search/?q=Teapot", "/search/"]


def _catalog_queries(client: Client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, secure=True).status_code == 200
    return [q["sql"] for q in captured.captured_queries if "catalog_" in q["sql"]]


def test_warm_listing_pages_run_no_catalog_query(shelf):
    client = Client()
    for url in _pages(*shelf):
        assert _catalog_queries(client, url), url  # cold: built from the database
        assert _catalog_queries(client, url) == [], url  # warm: from the cache


def test_junk_page_numbers_share_page_ones_entry(shelf):
    category, _ = shelf
    client = Client()
    url = f"/c/{category.slug}/"
    client.get(url, secure=True)
    for junk in ("abc", "abc2", "-5", "0", "1.5"):
        assert _catalog_queries(client, f"{url}?page={junk}") == [], junk
    client.get(f"{url}?page=99999", secure=True)  # past the end: one entry for them all
    assert _catalog_queries(client, f"{url}?page={'9' * 40}") == []


def test_listings_follow_price_stock_and_product_changes(shelf):
    category, product = shelf
    variant = product.variants.get()
    client = Client()

    def everywhere(text: str) -> bool:
        return all(text in client.get(url, secure=True).content.decode()
                   for url in _pages(category, product))

    assert everywhere("5.00") and not everywhere("Out of stock")
    variant_update(variant=variant, price=7)
    assert everywhere("7.00") and not any(
        "5.00" in client.get(u, secure=True).content.decode() for u in _pages(*shelf))
    cart, _ = cart_services.cart_create()
    cart_services.cart_line_set(cart=cart, variant_id=variant.pk, quantity=1)
    order, _ = order_place(cart=cart, details=details_make(), shipping_method="standard")
    assert everywhere("Out of stock")  # sold out by an order
    order_transition(order=order, to_status="cancelled")
    assert not any("Out of stock" in client.get(u, secure=True).content.decode()
                   for u in _pages(*shelf))
    product_update(product=product, name="Renamed Teapot")
    assert everywhere("Renamed Teapot")
    product_update(product=product, is_active=False)
    assert not any("Renamed Teapot" in client.get(u, secure=True).content.decode()
                   for u in _pages(*shelf))


def test_nothing_per_visitor_is_shared_through_the_cache(shelf):
    category, product = shelf
    first, second = Client(), Client()
    first.post("/cart/add/", {"variant": product.variants.get().pk, "quantity": 1},
               secure=True)
    url = f"/c/{category.slug}/"
    one = first.get(url, secure=True)
    two = second.get(url, secure=True)  # served from the entry the first visitor made
    nonce = re.compile(r'nonce="([^"]+)"')
    assert one.headers["Content-Security-Policy"] != two.headers["Content-Security-Policy"]
    for response, other in ((one, two), (two, one)):
        html = response.content.decode()
        for value in nonce.findall(other.content.decode()):
            assert value not in html
    assert one.cookies.get("__Host-csrftoken") is None or \
        one.cookies["__Host-csrftoken"].value not in two.content.decode()

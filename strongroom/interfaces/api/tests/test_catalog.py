from __future__ import annotations

import pytest

from .conftest import assert_error, make_product

pytestmark = pytest.mark.django_db


def test_categories(api, category):
    response = api.get("/api/catalog/categories")
    assert response.status_code == 200
    assert response.json() == [{"slug": "teapots", "name": "Teapots", "description": ""}]


def test_product_search_and_detail(api, product, variant):
    make_product(name="Green mug")
    body = api.get("/api/catalog/products?q=teapot").json()
    assert body["total"] == 1 and body["page"] == 1 and body["pages"] == 1
    item = body["items"][0]
    assert item == {"slug": product.slug, "name": "Blue teapot",
                    "category": {"slug": "teapots", "name": "Teapots"},
                    "min_price": "20.00", "currency": variant.currency, "in_stock": True,
                    "image_url": None}
    detail = api.get(f"/api/catalog/products/{product.slug}").json()
    assert detail["description"] == "A thing for tests."
    assert detail["variants"] == [{"id": variant.pk, "sku": variant.sku, "name": "",
                                   "price": "20.00", "currency": variant.currency,
                                   "in_stock": True}]
    assert "stock" not in detail["variants"][0]  # exact stock levels stay private


def test_product_filter_by_category_and_paging(api, product):
    for _ in range(3):
        make_product()
    assert api.get("/api/catalog/products?category=teapots").json()["total"] == 1
    body = api.get("/api/catalog/products?page_size=2&page=2").json()
    assert body["page_size"] == 2 and body["page"] == 2 and body["total"] == 4
    assert len(body["items"]) == 2


@pytest.mark.parametrize("query", ["page=0", "page=abc", "page_size=0", "page_size=101",
                                   "page=99999999999999999999999", "q=" + "x" * 101])
def test_bad_paging_is_422(api, product, query):
    error = assert_error(api.get(f"/api/catalog/products?{query}"), 422, "validation_error")
    assert error["details"] and error["details"][0]["field"] in {"page", "page_size", "q"}


def test_page_beyond_the_last_is_404(api, product):
    assert_error(api.get("/api/catalog/products?page=5"), 404, "page_not_found")


def test_unknown_category_and_product_are_404(api, product):
    assert_error(api.get("/api/catalog/products?category=nope"), 404, "category_not_found")
    assert_error(api.get("/api/catalog/products/nope"), 404, "product_not_found")


def test_inactive_product_is_hidden(api, product):
    product.is_active = False
    product.save()
    assert_error(api.get(f"/api/catalog/products/{product.slug}"), 404)
    assert api.get("/api/catalog/products").json()["total"] == 0

"""Every page renders, with the landmarks and labels a browser test relies on."""

from __future__ import annotations

import re

import pytest

from strongroom.testing.factories import product_make

from .conftest import add, checkout, login

pytestmark = pytest.mark.django_db


def test_home_shows_categories_and_featured_products(client, product, category):
    r = client.get("/")
    assert r.status_code == 200
    html = r.content.decode()
    assert category.name in html and product.name in html
    assert 'id="search-q"' in html and 'id="cart-count"' in html
    assert "Log in" in html and "Sign up" in html


def test_category_page_lists_its_products_only(client, product, category):
    other = product_make(name="Garden Hose")
    r = client.get(f"/c/{category.slug}/")
    assert r.status_code == 200
    assert product.name in r.content.decode() and other.name not in r.content.decode()
    assert client.get("/c/no-such-category/").status_code == 404


def test_product_page_shows_variants_price_stock_and_add_form(client, category):
    p = product_make(name="Tee", price="12.50", stock=3, category=category, variants=2)
    r = client.get(f"/p/{p.slug}/")
    html = r.content.decode()
    assert r.status_code == 200
    assert "EUR 12.50" in html and "Only 3 left" in html
    assert html.count('name="variant"') == 2
    assert "Add to cart" in html and 'for="id_quantity"' in html
    assert client.get("/p/nope/").status_code == 404


def test_inactive_product_is_not_found(client, product):
    product.is_active = False
    product.save()
    assert client.get(f"/p/{product.slug}/").status_code == 404


def test_search_paginates_and_survives_odd_input(client, category):
    for i in range(30):
        product_make(name=f"Widget {i:02}", category=category)
    r = client.get("/search/", {"q": "widget"})
    assert r.status_code == 200 and "30 products found" in r.content.decode()
    assert 'rel="next"' in r.content.decode()
    r2 = client.get("/search/", {"q": "widget", "page": "2"})
    assert "Widget 29" in r2.content.decode()
    odd = [("\x00<script>alert(1)</script>", "1"), ("%' OR 1=1 --", "x"), ("w" * 10_000, "-3"),
           ("", "99999999999999999999999"), ("é✓\u202e", "9" * 5000)]
    for q, page in odd:
        r = client.get("/search/", {"q": q, "page": page})
        assert r.status_code == 200
        assert "<script>alert" not in r.content.decode()


def test_pages_carry_no_inline_script_or_style(client, product, customer):
    add(client, product.variants.get())
    pages = ["/", f"/p/{product.slug}/", "/search/?q=k", "/cart/", "/checkout/",
             "/account/login/", "/account/signup/"]
    for url in pages:
        html = client.get(url).content.decode()
        assert " style=" not in html and "<style" not in html, url
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), url
        assert not re.search(r"\son[a-z]+=", html), url


def test_account_pages_render_for_a_customer(client, customer, product):
    login(client, customer.email)
    for url in ["/account/", "/account/addresses/", "/account/password/"]:
        r = client.get(url)
        assert r.status_code == 200, url
        assert r.headers["Cache-Control"].startswith("no-store") or "no-cache" in r.headers[
            "Cache-Control"]


def test_account_pages_need_login(client):
    for url in ["/account/", "/account/addresses/", "/account/password/",
                "/account/orders/SR-0000000000AA/"]:
        r = client.get(url)
        assert r.status_code == 302 and r.url.startswith("/account/login/?next="), url


def test_confirmation_page_says_awaiting_payment(client, variant):
    add(client, variant)
    r = checkout(client)
    assert r.status_code == 302 and r.url.startswith("/order/SR-")
    page = client.get(r.url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "awaiting payment" in html and "Copper Kettle" in html

from __future__ import annotations

import itertools
import json as jsonlib
from decimal import Decimal

import pytest
from django.test import Client

from strongroom.commerce.catalog.services import category_create, product_create
from strongroom.protection.accounts.services import user_create
from strongroom.protection.accounts.tokens import api_token_create

PASSWORD = "correct horse battery staple"
_seq = itertools.count(1)


class Api:
    """A thin HTTPS JSON client: ``api.post("/api/cart/lines", {...}, token=...)``."""

    def __init__(self) -> None:
        self.client = Client(HTTP_HOST="testserver")

    def call(self, method: str, path: str, body=None, *, token: str | None = None,
             cart: str | None = None, raw: bytes | str | None = None,
             content_type: str = "application/json", headers: dict | None = None):
        headers = dict(headers or {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if cart:
            headers["X-Cart-Token"] = cart
        data = raw if raw is not None else (jsonlib.dumps(body) if body is not None else "")
        return getattr(self.client, method)(path, data=data, content_type=content_type,
                                            secure=True, headers=headers)

    def get(self, path: str, **kw):
        return self.client.get(path, secure=True, headers=self._headers(**kw))

    def _headers(self, token: str | None = None, cart: str | None = None) -> dict:
        headers = {}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if cart:
            headers["X-Cart-Token"] = cart
        return headers

    def post(self, path, body=None, **kw):
        return self.call("post", path, body, **kw)

    def put(self, path, body=None, **kw):
        return self.call("put", path, body, **kw)

    def delete(self, path, body=None, **kw):
        return self.call("delete", path, body, **kw)


def assert_error(response, status: int, code: str | None = None, field: str | None = None):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "field", "details"}
    assert body["error"]["message"]
    if code is not None:
        assert body["error"]["code"] == code, body
    if field is not None:
        assert body["error"]["field"] == field, body
    return body["error"]


@pytest.fixture
def api() -> Api:
    return Api()


def make_product(*, name: str | None = None, price: str = "10.00", stock: int = 10,
                 category=None, variants: int = 1):
    n = next(_seq)
    return product_create(
        name=name or f"Api product {n}", description="A thing for tests.", category=category,
        variants=[{"sku": f"API-{n}-{i}", "price": Decimal(price), "stock": stock,
                   "name": f"Size {i}" if variants > 1 else ""} for i in range(variants)],
    )


def make_user(*, email: str | None = None, staff: bool = False):
    return user_create(email=email or f"api{next(_seq)}@example.test", password=PASSWORD,
                       full_name="Api Person", is_staff=staff)


@pytest.fixture
def category(db):
    return category_create(name="Teapots")


@pytest.fixture
def product(db, category):
    return make_product(name="Blue teapot", price="20.00", stock=5, category=category)


@pytest.fixture
def variant(product):
    return product.variants.get()


@pytest.fixture
def user(db):
    return make_user()


@pytest.fixture
def token(user) -> str:
    return api_token_create(user=user, name="tests")[1]


@pytest.fixture
def cart_token(api, db) -> str:
    return api.post("/api/cart").json()["cart_token"]


@pytest.fixture
def filled_cart_token(api, variant, cart_token) -> str:
    api.post("/api/cart/lines", {"variant_id": variant.pk, "quantity": 2}, cart=cart_token)
    return cart_token


ADDRESS = {"email": "shopper@example.test", "full_name": "Sam Shopper",
           "line1": "1 High Street", "line2": "", "city": "Springfield",
           "postal_code": "12345", "country": "DE", "phone": "",
           "shipping_method": "standard"}

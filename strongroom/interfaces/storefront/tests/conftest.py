from __future__ import annotations

import pytest
from django.test import Client

from strongroom.testing.factories import category_make, product_make, user_make

PASSWORD = "correct horse battery staple"


class HttpsClient(Client):
    """Django's test client speaking HTTPS on every request (the store redirects HTTP)."""

    def generic(self, method, path, data="", content_type="application/octet-stream",
                secure=True, **extra):
        return super().generic(method, path, data, content_type, secure=True, **extra)


def https_client() -> Client:
    return HttpsClient()


@pytest.fixture
def client() -> Client:
    return https_client()


@pytest.fixture
def other_client() -> Client:
    return https_client()


@pytest.fixture
def category(db):
    return category_make("Kitchen")


@pytest.fixture
def product(db, category):
    return product_make(name="Copper Kettle", price="30.00", stock=5, category=category)


@pytest.fixture
def variant(product):
    return product.variants.get()


@pytest.fixture
def customer(db):
    return user_make(email="cora@example.test", password=PASSWORD, full_name="Cora Customer")


def add(client: Client, variant, quantity=1):
    return client.post("/cart/add/", {"variant": variant.pk, "quantity": quantity})


def login(client: Client, email: str, password: str = PASSWORD):
    return client.post("/account/login/", {"username": email, "password": password})


ADDRESS = {"email": "gus@example.test", "full_name": "Gus Guest", "line1": "1 High Street",
           "line2": "", "city": "Springfield", "postal_code": "12345", "country": "DE",
           "phone": ""}


def checkout(client: Client, *, shipping: str = "standard", **overrides):
    """Walk the three checkout steps; returns the last response."""
    data = {**ADDRESS, **overrides}
    r = client.post("/checkout/", {**data, "step": "address"})
    assert r.status_code == 200, r.content
    r = client.post("/checkout/", {**data, "step": "shipping", "shipping_method": shipping})
    assert r.status_code == 200, r.content
    return client.post("/checkout/", {**data, "step": "review", "shipping_method": shipping})


@pytest.fixture
def sends(django_capture_on_commit_callbacks):
    """``with sends(): ...``: run what the request deferred to commit (its emails), as
    production does once the request's transaction commits."""
    return lambda: django_capture_on_commit_callbacks(execute=True)

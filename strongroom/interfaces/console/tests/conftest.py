from __future__ import annotations

import pytest
from django.test import Client

from strongroom.commerce.cart import services as cart_services
from strongroom.commerce.checkout import services as order_services
from strongroom.testing.accounts import mfa_login, staff_make
from strongroom.testing.factories import details_make, product_make, user_make

PASSWORD = "correct horse battery staple"


class HttpsClient(Client):
    """Every request over HTTPS (``secure=True``), as production serves the console."""

    def generic(self, *args, secure: bool = True, **kwargs):
        return super().generic(*args, secure=True, **kwargs)


def https_client(**kwargs) -> Client:
    return HttpsClient(**kwargs)


@pytest.fixture
def client() -> Client:
    return https_client()


@pytest.fixture
def staff(db):
    return staff_make(email="staff@example.test", full_name="Sam Staff")


@pytest.fixture
def customer(db):
    return user_make(email="customer@example.test", full_name="Cara Customer")


@pytest.fixture
def staff_client(staff) -> Client:
    return mfa_login(https_client(), staff)


@pytest.fixture
def customer_client(customer) -> Client:
    client = https_client()
    client.force_login(customer)
    return client


def order_make(*, user=None, quantity: int = 1, stock: int = 10):
    variant = product_make(price="12.50", stock=stock).variants.get()
    cart, _ = cart_services.cart_create()
    cart_services.cart_line_set(cart=cart, variant_id=variant.pk, quantity=quantity)
    order, _ = order_services.order_place(
        cart=cart, details=details_make(email="buyer@example.test", full_name="Bea Buyer"),
        shipping_method="standard", user=user)
    return order


@pytest.fixture
def order(db, customer):
    return order_make(user=customer)

"""Twenty-four buyers race for the last five units: exactly five orders, never oversold.

Each buyer is a thread with its own database connection, all released at once by a
barrier, so on PostgreSQL the conditional UPDATEs really contend for the same row."""

import threading

import pytest
from django.db import connections

from strongroom.commerce.cart import services as cart_services
from strongroom.commerce.catalog.models import Variant
from strongroom.commerce.checkout import services
from strongroom.commerce.orders.errors import OutOfStock
from strongroom.commerce.orders.models import Order
from strongroom.testing.factories import details_make, product_make

BUYERS = 24
STOCK = 5


@pytest.mark.django_db(transaction=True)
def test_parallel_buyers_never_oversell():
    variant = product_make(stock=STOCK).variants.get()
    other = product_make(stock=1000).variants.get()
    carts = []
    for _ in range(BUYERS):
        cart, _ = cart_services.cart_create()
        cart_services.cart_line_set(cart=cart, variant_id=other.pk, quantity=1)
        cart_services.cart_line_set(cart=cart, variant_id=variant.pk, quantity=1)
        carts.append(cart)

    barrier = threading.Barrier(BUYERS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def buy(cart):
        try:
            barrier.wait(timeout=30)
            services.order_place(cart=cart, details=details_make(), shipping_method="standard")
            result = "ok"
        except OutOfStock:
            result = "sold out"
        except Exception as exc:  # surfaced by the assertion below
            result = f"error: {exc!r}"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=buy, args=(cart,)) for cart in carts]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    assert sorted(set(outcomes)) == ["ok", "sold out"], outcomes
    assert outcomes.count("ok") == STOCK
    assert Variant.objects.get(pk=variant.pk).stock == 0
    # The losers' reservation of the plentiful line was rolled back with their order.
    assert Variant.objects.get(pk=other.pk).stock == 1000 - STOCK
    assert Order.objects.count() == STOCK

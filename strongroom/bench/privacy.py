"""Privacy benchmarks (run by `make bench` in a throwaway SQLite store):

- export of a customer with 200 orders (request -> archive built, encrypted, stored ->
  downloaded), cold key cache: target <= 2 s;
- erasure of one customer (address, 2 orders; shred, ledger with fsync, signed receipt,
  WAL checkpoint), median of 20: target <= 200 ms;
- retention sweep of 100,000 expired carts (each with a line): target <= 60 s.
"""

from __future__ import annotations

import secrets
import statistics
import time
from collections.abc import Iterator
from datetime import timedelta

EXPORT_ORDERS = 200
ERASURES = 20
CARTS = 100_000
TARGETS = {"export": 2.0, "erasure": 0.200, "sweep": 60.0}


def _customer(tag: str, orders: int, variant) -> object:
    from strongroom.commerce.cart import services as carts
    from strongroom.commerce.checkout import services as order_services
    from strongroom.commerce.customers.services import AddressDetails, address_create
    from strongroom.commerce.orders.services import CheckoutDetails
    from strongroom.commerce.payments.models import Payment
    from strongroom.testing.factories import user_make

    email = f"bench.{tag}.{secrets.token_hex(3)}@example.test"
    user = user_make(email=email, full_name=f"Bench {tag}")
    address_create(user=user, details=AddressDetails(
        full_name=f"Bench {tag}", line1="1 Bench Street", city="Benchville",
        postal_code="12345", country="DE", phone="+49 170 1234567"))
    details = CheckoutDetails(email=email, full_name=f"Bench {tag}", line1="1 Bench Street",
                              line2="", city="Benchville", postal_code="12345", country="DE",
                              phone="+49 170 1234567")
    for _ in range(orders):
        cart, _token = carts.cart_create()
        carts.cart_line_set(cart=cart, variant_id=variant.pk, quantity=1)
        order, _start = order_services.order_place(cart=cart, details=details,
                                                   shipping_method="standard", user=user)
        Payment.objects.create(order=order, gateway="sandbox", status="succeeded",
                               amount=order.total, currency=order.currency, card_brand="visa",
                               card_last4="4242", card_exp_month=12, card_exp_year=2031)
    return user


def _variant():
    from strongroom.testing.factories import product_make

    return product_make(price="9.90", stock=10_000_000).variants.get()


def _cold() -> None:
    from strongroom.protection.vault.internal import runtime

    runtime.reset()


def bench_export(variant) -> float:
    from strongroom.protection.privacy import services

    user = _customer("export", EXPORT_ORDERS, variant)
    times = []
    for _ in range(3):
        _cold()
        start = time.perf_counter()
        _export, token = services.export_request(user=user)  # built on commit, in-process
        _, blob = services.export_download(user=user, token=token)
        times.append(time.perf_counter() - start)
        assert len(blob) > 10_000
    return min(times)


def bench_erasure(variant) -> float:
    from strongroom.protection.privacy import services

    users = [_customer(f"erase{i}", 2, variant) for i in range(ERASURES)]
    times = []
    for i, user in enumerate(users):
        _cold()
        start = time.perf_counter()
        services.customer_erase(user=user, request_ref=f"PR-BENCH{i:04d}", notify=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _carts(variant) -> None:
    from django.db import transaction
    from django.utils import timezone

    from strongroom.commerce.cart.models import Cart, CartLine

    old = timezone.now() - timedelta(days=45)
    batch = 10_000
    with transaction.atomic():
        for _ in range(0, CARTS, batch):
            carts = Cart.objects.bulk_create(
                Cart(token_hash=secrets.token_hex(32)) for _ in range(batch))
            CartLine.objects.bulk_create(CartLine(cart=c, variant=variant, quantity=1)
                                         for c in carts)
        Cart.objects.update(updated_at=old)


def bench_sweep(variant) -> tuple[float, int]:
    from strongroom.protection.privacy import services

    _carts(variant)
    start = time.perf_counter()
    counts = services.retention_sweep()
    return time.perf_counter() - start, counts["carts"]


def _verdict(value: float, target: float) -> str:
    return "ok" if value <= target else "BELOW TARGET"


def report() -> Iterator[str]:
    from django.db import connection

    variant = _variant()
    yield f"database: {connection.vendor}"
    export = bench_export(variant)
    yield (f"export, customer with {EXPORT_ORDERS} orders  {export:>8.3f} s   "
           f"(target <= {TARGETS['export']:.0f} s)  {_verdict(export, TARGETS['export'])}")
    erasure = bench_erasure(variant)
    yield (f"erasure of one customer (median of {ERASURES})  {erasure * 1000:>6.1f} ms  "
           f"(target <= {TARGETS['erasure'] * 1000:.0f} ms)  "
           f"{_verdict(erasure, TARGETS['erasure'])}")
    sweep, removed = bench_sweep(variant)
    assert removed >= CARTS, removed  # plus the carts the orders above left behind
    yield (f"retention sweep, {removed:,} expired carts  {sweep:>8.2f} s   "
           f"(target <= {TARGETS['sweep']:.0f} s)  {_verdict(sweep, TARGETS['sweep'])}")

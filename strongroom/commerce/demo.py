"""The demo store: a small catalog, a few fake customers with addresses and orders, and
an owner account whose password is generated on the spot (there is no default password)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

from strongroom.commerce.cart.services import cart_create, cart_line_set
from strongroom.commerce.catalog.models import Product
from strongroom.commerce.catalog.services import category_create, product_create
from strongroom.commerce.checkout.services import order_place
from strongroom.commerce.customers.models import Address
from strongroom.commerce.orders.services import CheckoutDetails, order_transition
from strongroom.commerce.payments.errors import PaymentError
from strongroom.commerce.payments.registry import gateway_get
from strongroom.commerce.payments.selectors import payment_latest
from strongroom.commerce.payments.services import payment_checkout_open, payment_sync
from strongroom.protection.accounts.services import user_create

OWNER_EMAIL = "owner@strongroom.test"

CATALOG = {
    "Coffee": [
        ("Ethiopia Yirgacheffe", "Floral and bright, with notes of bergamot and lemon.",
         [("250 g", "12.50", 40), ("1 kg", "42.00", 12)]),
        ("Colombia Huila", "Caramel sweetness with a red-apple finish.",
         [("250 g", "11.00", 35), ("1 kg", "38.00", 8)]),
        ("Decaf Brazil", "Swiss-water decaf: chocolate and hazelnut.",
         [("250 g", "10.50", 20)]),
        ("Espresso Blend No. 7", "Dense, syrupy and forgiving in any machine.",
         [("250 g", "11.50", 60), ("1 kg", "39.00", 3)]),
    ],
    "Brewing": [
        ("Pour-over Dripper", "Ceramic cone dripper, size 02.", [("", "24.00", 15)]),
        ("Paper Filters", "100 unbleached filters for size 02 drippers.", [("", "6.00", 120)]),
        ("Burr Grinder", "Hand grinder with steel conical burrs and 40 settings.",
         [("", "89.00", 4)]),
        ("Gooseneck Kettle", "0.8 l stovetop kettle for a steady pour.", [("", "49.00", 0)]),
    ],
    "Cups & Mugs": [
        ("Stoneware Mug", "350 ml, glazed by hand; every one is a little different.",
         [("Sand", "18.00", 25), ("Slate", "18.00", 14)]),
        ("Espresso Cups (pair)", "Two 80 ml porcelain cups with saucers.", [("", "22.00", 9)]),
        ("Travel Tumbler", "Double-walled steel, keeps coffee hot for hours.",
         [("", "29.00", 30)]),
    ],
}

CUSTOMERS = [
    ("Ada Lovelace", "ada@example.com", "12 Analytical Row", "London", "NW1 6XE", "GB"),
    ("Grace Hopper", "grace@example.com", "99 Cobol Avenue", "Arlington", "22201", "US"),
    ("Alan Turing", "alan@example.com", "3 Bletchley Lane", "Milton Keynes", "MK3 6EB", "GB"),
    ("Hedy Lamarr", "hedy@example.com", "7 Frequency Strasse", "Vienna", "1010", "AT"),
    ("Katherine Johnson", "katherine@example.com", "1 Orbit Way", "Hampton", "23666", "US"),
]


@dataclass(frozen=True)
class DemoResult:
    owner_email: str
    owner_password: str
    catalog_loaded: bool
    paid_through_gateway: int = 0


def _load_catalog() -> None:
    sku = 1000
    for position, (category_name, products) in enumerate(CATALOG.items()):
        category = category_create(name=category_name, position=position)
        for name, description, variants in products:
            specs = []
            for variant_name, price, stock in variants:
                sku += 1
                specs.append({"sku": f"SR{sku}", "name": variant_name,
                              "price": Decimal(price), "stock": stock})
            product_create(name=name, description=description, category=category,
                           variants=specs)


def _load_customers() -> list:
    """Customers and their orders; returns the orders the demo pays for."""
    to_pay = []
    variants = [p.variants.first() for p in Product.objects.order_by("pk")]
    in_stock = [v for v in variants if v is not None and v.stock > 5]
    for i, (name, email, line1, city, postal_code, country) in enumerate(CUSTOMERS):
        # Demo customers cannot log in: there is no password to leak or guess.
        user = user_create(email=email, password=None, full_name=name)
        Address.objects.create(user=user, full_name=name, line1=line1, city=city,
                               postal_code=postal_code, country=country, is_default=True)
        for n in range(1 + i % 2):
            cart, _ = cart_create(user=user)
            cart_line_set(cart=cart, variant_id=in_stock[(i + n) % len(in_stock)].pk,
                          quantity=1 + n)
            order, _ = order_place(
                cart=cart, user=user, shipping_method="standard",
                details=CheckoutDetails(email=email, full_name=name, line1=line1, city=city,
                                        postal_code=postal_code, country=country),
            )
            cart.delete()
            if (i + n) % 3 != 2:
                to_pay.append(order)
    return to_pay


def _pay(orders: list) -> int:
    """Pay the demo orders through the sandbox gateway when it is running (a named test
    card at its test-helper API: no card number leaves the gateway), else just mark them
    paid. Returns how many went through the gateway. Runs outside any transaction."""
    through_gateway = 0
    for order in orders:
        payment = payment_latest(order=order)
        gateway = gateway_get()
        if payment is not None and payment.gateway == "sandbox" and hasattr(gateway, "test_pay"):
            try:
                back = f"https://localhost:8443/checkout/return/{order.reference}/"
                payment_checkout_open(payment=payment, success_url=back, cancel_url=back)
                gateway.test_pay(session_id=payment.gateway_reference, card="visa")
                if payment_sync(payment=payment, source="demo").order_paid:
                    through_gateway += 1
                    continue
            except PaymentError:
                pass  # the sandbox is not running: fall back to a plain status change
        order_transition(order=order, to_status="paid", note="demo payment (no gateway)")
    return through_gateway


def demo_load(*, if_empty: bool = False) -> DemoResult:
    """Load the demo data (unless ``if_empty`` and a catalog exists) and give the demo
    owner a freshly generated password, returned once for printing."""
    with transaction.atomic():
        load = not (if_empty and Product.objects.exists())
        to_pay: list = []
        if load:
            _load_catalog()
            to_pay = _load_customers()
        password = secrets.token_urlsafe(15)
        User = get_user_model()
        try:
            owner = User.objects.get_by_natural_key(OWNER_EMAIL)
        except User.DoesNotExist:
            owner = None
        if owner is None:
            owner = user_create(email=OWNER_EMAIL, password=password, full_name="Demo Owner",
                                is_staff=True, is_superuser=True)
        else:
            owner.set_password(password)
            owner.save(update_fields=["password"])
    paid = _pay(to_pay)
    return DemoResult(owner_email=OWNER_EMAIL, owner_password=password, catalog_loaded=load,
                      paid_through_gateway=paid)

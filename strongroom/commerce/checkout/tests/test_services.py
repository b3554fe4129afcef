"""Placing an order from the cart: stock, totals and the payment in one transaction."""

from decimal import Decimal

import pytest

from strongroom.commerce.cart import services as cart_services
from strongroom.commerce.catalog.models import Variant
from strongroom.commerce.checkout import services
from strongroom.commerce.orders import selectors
from strongroom.commerce.orders.errors import CheckoutError, OrderNotFound, OutOfStock
from strongroom.commerce.orders.models import Order, OrderStatus
from strongroom.commerce.payments.models import Payment, PaymentStatus
from strongroom.testing.factories import details_make, product_make, user_make

pytestmark = pytest.mark.django_db


def _cart_with(*pairs):
    cart, _ = cart_services.cart_create()
    for variant, quantity in pairs:
        cart_services.cart_line_set(cart=cart, variant_id=variant.pk, quantity=quantity)
    return cart


def test_place_order_reserves_stock_totals_and_awaits_payment():
    a = product_make(price="20.00", stock=5).variants.get()
    b = product_make(price="7.25", stock=3).variants.get()
    cart = _cart_with((a, 2), (b, 1))
    order, start = services.order_place(cart=cart, details=details_make(),
                                        shipping_method="standard")
    assert order.status == OrderStatus.PENDING
    assert order.subtotal == Decimal("47.25")
    assert order.shipping_total == Decimal("4.95")
    assert order.total == Decimal("52.20")
    assert [(line.sku, line.quantity) for line in order.lines.all()] == [(a.sku, 2), (b.sku, 1)]
    assert Variant.objects.get(pk=a.pk).stock == 3
    assert Variant.objects.get(pk=b.pk).stock == 2
    assert not cart.lines.exists()
    assert start.redirect_url is None
    payment = Payment.objects.get(order=order)
    assert payment.status == PaymentStatus.AWAITING and payment.amount == order.total
    assert list(order.events.values_list("kind", "to_status")) == [("placed", "pending")]


def test_free_shipping_threshold():
    v = product_make(price="80.00").variants.get()
    order, _ = services.order_place(cart=_cart_with((v, 1)), details=details_make(),
                                    shipping_method="standard")
    assert order.shipping_total == Decimal("0.00")


def test_out_of_stock_rolls_back_everything():
    a = product_make(stock=5).variants.get()
    b = product_make(stock=1).variants.get()
    cart = _cart_with((a, 2), (b, 1))
    Variant.objects.filter(pk=b.pk).update(stock=0)  # someone else bought it meanwhile
    with pytest.raises(OutOfStock):
        services.order_place(cart=cart, details=details_make(), shipping_method="standard")
    assert Variant.objects.get(pk=a.pk).stock == 5  # first line's reservation undone
    assert not Order.objects.exists() and not Payment.objects.exists()
    assert cart.lines.count() == 2  # the shopper keeps their cart


@pytest.mark.parametrize("overrides, field", [
    ({"email": "not-an-email"}, "email"),
    ({"email": ""}, "email"),
    ({"full_name": "   "}, "full_name"),
    ({"country": "XX"}, "country"),
    ({"postal_code": "1" * 21}, "postal_code"),
    ({"line1": "x" * 201}, "line1"),
    ({"phone": "call me maybe"}, "phone"),
])
def test_bad_details_name_the_field_and_write_nothing(overrides, field):
    v = product_make().variants.get()
    with pytest.raises(CheckoutError) as exc:
        services.order_place(cart=_cart_with((v, 1)), details=details_make(**overrides),
                             shipping_method="standard")
    assert exc.value.field == field
    assert not Order.objects.exists()
    assert Variant.objects.get(pk=v.pk).stock == 10


def test_unknown_shipping_method_and_empty_cart_are_refused():
    v = product_make().variants.get()
    with pytest.raises(CheckoutError):
        services.order_place(cart=_cart_with((v, 1)), details=details_make(),
                             shipping_method="teleport")
    empty, _ = cart_services.cart_create()
    with pytest.raises(CheckoutError) as exc:
        services.order_place(cart=empty, details=details_make(), shipping_method="standard")
    assert exc.value.code == "cart_empty"


def test_account_order_belongs_to_user():
    user = user_make()
    v = product_make().variants.get()
    order, _ = services.order_place(cart=_cart_with((v, 1)), details=details_make(),
                                    shipping_method="standard", user=user)
    assert selectors.order_get_for_user(user=user, reference=order.reference) == order
    with pytest.raises(OrderNotFound):
        selectors.order_get_for_user(user=user_make(), reference=order.reference)


def test_a_payment_that_cannot_start_leaves_no_order(monkeypatch):
    """One transaction: if the payment cannot be opened, the order, its stock
    reservation and its audit event go too, and the shopper keeps the cart."""
    v = product_make(stock=2).variants.get()
    cart = _cart_with((v, 1))

    def broken(*, order, return_url=None):
        raise RuntimeError("gateway misconfigured")

    monkeypatch.setattr(services, "payment_start", broken)
    with pytest.raises(RuntimeError):
        services.order_place(cart=cart, details=details_make(), shipping_method="standard")
    assert not Order.objects.exists() and not Payment.objects.exists()
    assert Variant.objects.get(pk=v.pk).stock == 2 and cart.lines.count() == 1

"""Order writes on their own: creating an order from a cart (no payment: that is
checkout's), references, and the lifecycle."""

import pytest

from strongroom.commerce.cart import services as cart_services
from strongroom.commerce.catalog.models import Variant
from strongroom.commerce.orders import selectors, services
from strongroom.commerce.orders.errors import InvalidTransition, OrderNotFound
from strongroom.commerce.orders.models import OrderEvent
from strongroom.commerce.payments.models import Payment
from strongroom.protection.vault.models import Subject
from strongroom.testing.factories import details_make, product_make, user_make

pytestmark = pytest.mark.django_db


def _cart_with(*pairs):
    cart, _ = cart_services.cart_create()
    for variant, quantity in pairs:
        cart_services.cart_line_set(cart=cart, variant_id=variant.pk, quantity=quantity)
    return cart


def test_create_makes_a_guest_subject_and_uses_the_account_s_and_starts_no_payment():
    v = product_make(stock=5).variants.get()
    subjects = Subject.objects.count()
    guest = services.order_create(cart=_cart_with((v, 1)), details=details_make(),
                                  shipping_method="standard")
    assert Subject.objects.count() == subjects + 1 and guest.subject_id is not None
    user = user_make()
    own = services.order_create(cart=_cart_with((v, 1)), details=details_make(),
                                shipping_method="standard", user=user)
    assert own.subject_id == user.subject_id
    assert not Payment.objects.exists()  # orders know nothing of payments


def test_reference_is_unguessable_and_unique():
    refs = {services.order_reference_new() for _ in range(2000)}
    assert len(refs) == 2000
    assert all(r.startswith("SR-") and len(r) == 15 for r in refs)


def test_lifecycle_transitions_and_events():
    staff = user_make(staff=True)
    v = product_make(stock=4).variants.get()
    order = services.order_create(cart=_cart_with((v, 1)), details=details_make(),
                                  shipping_method="express")
    for status in ("paid", "fulfilled", "shipped", "completed"):
        order = services.order_transition(order=order, to_status=status, actor=staff)
    assert order.status == "completed"
    kinds = list(OrderEvent.objects.filter(order=order).values_list("from_status", "to_status"))
    assert kinds == [("", "pending"), ("pending", "paid"), ("paid", "fulfilled"),
                     ("fulfilled", "shipped"), ("shipped", "completed")]
    with pytest.raises(InvalidTransition):
        services.order_transition(order=order, to_status="pending", actor=staff)
    with pytest.raises(InvalidTransition):
        services.order_transition(order=order, to_status="no-such-status", actor=staff)


def test_cancelling_returns_stock_once():
    v = product_make(stock=4).variants.get()
    order = services.order_create(cart=_cart_with((v, 3)), details=details_make(),
                                  shipping_method="standard")
    assert Variant.objects.get(pk=v.pk).stock == 1
    services.order_transition(order=order, to_status="cancelled")
    assert Variant.objects.get(pk=v.pk).stock == 4
    with pytest.raises(InvalidTransition):
        services.order_transition(order=order, to_status="cancelled")
    assert Variant.objects.get(pk=v.pk).stock == 4


@pytest.mark.parametrize("reference", ["SR-\x00", "x" * 5000, "sr-lower", "", None, 12])
def test_malformed_references_read_as_not_found(reference):
    with pytest.raises(OrderNotFound):
        selectors.order_get_by_reference(reference=reference)
    with pytest.raises(OrderNotFound):
        selectors.order_get_for_user(user=user_make(), reference=reference)

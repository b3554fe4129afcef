"""The exact audit events each key action emits, in order, in the action's transaction."""

import pytest
from django.db import transaction

from strongroom.commerce.cart import services as cart_services
from strongroom.commerce.checkout import services as checkout
from strongroom.commerce.orders import services as orders
from strongroom.commerce.orders.models import OrderStatus
from strongroom.interfaces.storefront.tests.conftest import PASSWORD, https_client, login
from strongroom.protection.audit.events import ActorType, AuditEvent
from strongroom.protection.audit.models import AuditEntry
from strongroom.testing.factories import details_make, product_make, user_make

pytestmark = pytest.mark.django_db


def events(since: int = 0) -> list[tuple]:
    return list(
        AuditEntry.objects.filter(id__gt=since).order_by("id").values_list(
            "event", "actor_type", "actor_id", "subject_id", "object_type", "object_id",
            "fields", "reason")
    )


def last_id() -> int:
    return AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0


def _placed(user=None, *, mark: list | None = None):
    variant = product_make(stock=5).variants.get()  # itself audited (catalog events)
    if mark is not None:
        mark.append(last_id())
    cart, _ = cart_services.cart_create(user=user)
    cart_services.cart_line_set(cart=cart, variant_id=variant.pk, quantity=1)
    order, _ = checkout.order_place(cart=cart, details=details_make(), shipping_method="standard",
                                    user=user)
    return order


def test_guest_order_place_emits_one_order_placed():
    mark: list[int] = []
    order = _placed(mark=mark)
    assert events(mark[0]) == [(AuditEvent.ORDER_PLACED, ActorType.ANONYMOUS, "",
                         str(order.subject_id), "orders.order", str(order.pk), "", "")]


def test_customer_order_place_names_the_customer():
    user = user_make()
    mark: list[int] = []
    order = _placed(user, mark=mark)
    assert events(mark[0]) == [(AuditEvent.ORDER_PLACED, ActorType.CUSTOMER, str(user.pk),
                              str(user.subject_id), "orders.order", str(order.pk), "", "")]


def test_failed_order_place_rolls_back_its_event():
    variant = product_make(stock=0).variants.get()
    cart, _ = cart_services.cart_create()
    cart.lines.create(variant=variant, quantity=1)
    start = last_id()
    with pytest.raises(orders.OutOfStock):
        checkout.order_place(cart=cart, details=details_make(), shipping_method="standard")
    assert events(start) == []


def test_status_changes_and_refund_by_staff():
    order = _placed()
    staff = user_make(staff=True)
    start = last_id()
    orders.order_transition(order=order, to_status=OrderStatus.PAID, actor=staff)
    orders.order_transition(order=order, to_status=OrderStatus.REFUNDED, actor=staff,
                            note="damaged in transit")
    common = (str(order.subject_id), "orders.order", str(order.pk), "status")
    assert events(start) == [
        (AuditEvent.ORDER_STATUS_CHANGED, ActorType.STAFF, str(staff.pk), *common, ""),
        (AuditEvent.ORDER_REFUNDED, ActorType.STAFF, str(staff.pk), *common,
         "damaged in transit"),
    ]


def test_refused_transition_emits_nothing():
    order = _placed()
    start = last_id()
    with pytest.raises(orders.InvalidTransition):
        orders.order_transition(order=order, to_status=OrderStatus.SHIPPED)
    assert events(start) == []


def test_system_transition_is_attributed_to_the_system():
    order = _placed()
    start = last_id()
    orders.order_transition(order=order, to_status=OrderStatus.CANCELLED)
    assert events(start)[0][:3] == (AuditEvent.ORDER_STATUS_CHANGED, ActorType.SYSTEM, "orders")


def test_storefront_login_success_failure_and_logout():
    user = user_make(email="audit-me@example.test", password=PASSWORD)
    client = https_client()
    start = last_id()
    login(client, "audit-me@example.test", "wrong password entirely")
    login(client, "nobody@example.test", "wrong password entirely")
    assert login(client, "audit-me@example.test").status_code == 302
    client.post("/account/logout/")
    account = (str(user.subject_id), "accounts.user", str(user.pk), "", "")
    assert events(start) == [
        (AuditEvent.LOGIN_FAILED, ActorType.ANONYMOUS, "", *account),
        (AuditEvent.LOGIN_FAILED, ActorType.ANONYMOUS, "", "", "", "", "", ""),
        (AuditEvent.LOGIN_SUCCEEDED, ActorType.CUSTOMER, str(user.pk), *account),
        (AuditEvent.LOGOUT, ActorType.CUSTOMER, str(user.pk), *account),
    ]
    # From where and which request, but never the typed email in any column.
    rows = AuditEntry.objects.filter(id__gt=start)
    assert all(r.origin_id and len(r.request_id) == 32 for r in rows)
    assert "nobody@example.test" not in repr(list(rows.values_list()))


def test_event_is_written_in_the_callers_transaction():
    class Boom(Exception):
        pass

    staff = user_make(staff=True)
    order = _placed()
    start = last_id()
    with pytest.raises(Boom), transaction.atomic():
        orders.order_transition(order=order, to_status=OrderStatus.PAID, actor=staff)
        raise Boom
    assert events(start) == []

"""Retention: the sweep removes what is past its period, lists it first with --dry-run,
and is audited with its counts."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from strongroom.commerce.cart import services as cart_services
from strongroom.commerce.cart.models import Cart
from strongroom.commerce.orders.models import Order
from strongroom.protection.accounts.models import User
from strongroom.protection.audit.events import AuditEvent
from strongroom.protection.audit.selectors import audit_search
from strongroom.protection.privacy import services
from strongroom.protection.privacy.models import ErasureLedgerEntry, RetentionNotice
from strongroom.protection.vault.selectors import subject_is_erased
from strongroom.testing.factories import details_make, product_make, user_make

pytestmark = pytest.mark.django_db


def _age(model, pk, field: str, days: int) -> None:
    model.objects.filter(pk=pk).update(**{field: timezone.now() - dt.timedelta(days=days)})


def test_sweep_removes_stale_carts_keeps_fresh_ones_and_is_audited() -> None:
    variant = product_make().variants.get()
    old, _ = cart_services.cart_create()
    cart_services.cart_line_set(cart=old, variant_id=variant.pk, quantity=1)
    fresh, _ = cart_services.cart_create()
    _age(Cart, old.pk, "updated_at", 31)
    out = StringIO()
    call_command("privacy", "retention", "--dry-run", stdout=out)
    assert "Would remove        1  carts" in out.getvalue()
    assert Cart.objects.count() == 2
    assert not audit_search(events=AuditEvent.RETENTION_SWEPT).exists()
    counts = services.retention_sweep()
    assert counts["carts"] == 1
    assert list(Cart.objects.values_list("pk", flat=True)) == [fresh.pk]
    swept = audit_search(events=AuditEvent.RETENTION_SWEPT).get()
    assert "carts=1" in swept.reason
    assert services.retention_sweep()["carts"] == 0  # idempotent


def test_unused_account_gets_a_notice_then_is_erased(django_capture_on_commit_callbacks) -> None:
    user = user_make()
    staff = user_make(staff=True)
    for u in (user, staff):
        _age(User, u.pk, "date_joined", 365 * 3 + 1)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.retention_sweep()["inactive_notices"] == 1
    assert RetentionNotice.objects.filter(user=user).exists()
    assert "will be closed" in mail.outbox[-1].subject
    assert services.retention_sweep()["inactive_erased"] == 0  # the notice period runs
    RetentionNotice.objects.filter(user=user).update(
        sent_at=timezone.now() - dt.timedelta(days=31))
    assert services.retention_sweep()["inactive_erased"] == 1
    assert subject_is_erased(subject_id=user.subject_id)
    assert not subject_is_erased(subject_id=staff.subject_id)  # staff are never swept


def test_guest_orders_past_the_legal_period_lose_their_personal_data_only() -> None:
    from strongroom.commerce.checkout import services as order_services

    variant = product_make(stock=10).variants.get()
    cart, _ = cart_services.cart_create()
    cart_services.cart_line_set(cart=cart, variant_id=variant.pk, quantity=1)
    order, _ = order_services.order_place(cart=cart, details=details_make(),
                                          shipping_method="standard")
    total = order.total
    _age(Order, order.pk, "created_at", 365 * 10 + 3)
    assert services.retention_sweep(dry_run=True)["guest_orders_erased"] == 1
    assert services.retention_sweep()["guest_orders_erased"] == 1
    assert subject_is_erased(subject_id=order.subject_id)
    assert Order.objects.get(pk=order.pk).total == total
    assert ErasureLedgerEntry.objects.filter(subject_id=order.subject_id).exists()

"""Refunds from the console (owner only, recorded with who did it) and the reconciler
recovering an order after a crash between the gateway's success and the order update."""

from __future__ import annotations

from dataclasses import replace

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from strongroom.commerce.orders.models import OrderEvent, OrderStatus
from strongroom.commerce.orders.services import order_transition
from strongroom.commerce.payments.models import Payment, PaymentAlert, PaymentStatus, Refund
from strongroom.interfaces.storefront.tests.conftest import HttpsClient
from strongroom.sandbox.tests.kit import path_of
from strongroom.testing.accounts import mfa_login
from strongroom.testing.factories import user_make
from strongroom.testing.staff import staff_make

from .conftest import place_order

pytestmark = pytest.mark.django_db


def _paid_order(client, sandbox, variant):
    order, placed = place_order(client, variant)
    hosted = client.get(placed.url).url
    _, location, _ = sandbox.pay(hosted, "4242424242424242")
    client.get(path_of(location))
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    return order


def _console(user):
    return mfa_login(HttpsClient(), user)  # staff pass MFA; refunds need it recent


def test_owner_refunds_partially_then_fully_from_the_console(client, sandbox, variant, owner):
    order = _paid_order(client, sandbox, variant)
    console = _console(owner)
    page = console.get(f"/console/orders/{order.reference}/").content.decode()
    assert 'id="refund-form"' in page and "Visa ending 4242" in page
    r = console.post(f"/console/orders/{order.reference}/refund/",
                     {"mode": "partial", "amount": "10.00", "reason": "scratched"})
    assert r.status_code == 302
    payment = Payment.objects.get(order=order)
    assert payment.status == PaymentStatus.PARTIALLY_REFUNDED
    assert payment.amount_refunded == 10
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    refund = Refund.objects.get()
    assert refund.actor == owner and refund.reason == "scratched" and refund.status == "succeeded"
    event = OrderEvent.objects.get(order=order, kind="refund")
    assert event.actor == owner
    console.post(f"/console/orders/{order.reference}/refund/", {"mode": "full"})
    payment.refresh_from_db()
    order.refresh_from_db()
    assert payment.status == PaymentStatus.REFUNDED and order.status == OrderStatus.REFUNDED
    with sandbox.db.connect() as conn:
        assert conn.execute("SELECT SUM(amount) FROM refunds").fetchone()[0] == int(
            payment.amount * 100)
    sandbox.deliver()  # the refund webhooks change nothing more
    assert OrderEvent.objects.filter(order=order, kind="refunded").count() == 1


@pytest.mark.parametrize("amount, message", [
    ("0", "positive"), ("-5", "positive"), ("abc", "number"), ("1.234", "two decimals"),
    ("99999", "At most"), ("NaN", "positive"),
])
def test_bad_refund_amounts_are_refused(client, sandbox, variant, owner, amount, message):
    order = _paid_order(client, sandbox, variant)
    r = _console(owner).post(f"/console/orders/{order.reference}/refund/",
                             {"mode": "partial", "amount": amount}, follow=True)
    assert message in r.content.decode()
    assert Refund.objects.count() == 0
    assert Payment.objects.get(order=order).status == PaymentStatus.CAPTURED


def test_only_the_owner_may_refund(client, sandbox, variant):
    order = _paid_order(client, sandbox, variant)
    staff = staff_make("support", email="agent@example.test")  # sees orders, no refunds
    console = _console(staff)
    assert "Only the store owner" in console.get(
        f"/console/orders/{order.reference}/").content.decode()
    assert console.post(f"/console/orders/{order.reference}/refund/",
                        {"mode": "full"}).status_code == 403
    customer = user_make(email="c@example.test")
    assert _console(customer).post(f"/console/orders/{order.reference}/refund/",
                                   {"mode": "full"}).status_code == 403
    assert Refund.objects.count() == 0


def test_refund_while_the_gateway_is_down_stays_pending_and_retries_once(
        client, sandbox, variant, owner, settings):
    order = _paid_order(client, sandbox, variant)
    live = settings.STRONGROOM_PAYMENTS
    settings.STRONGROOM_PAYMENTS = replace(live, sandbox_url="https://localhost:9")
    console = _console(owner)
    r = console.post(f"/console/orders/{order.reference}/refund/", {"mode": "full"},
                     follow=True)
    assert "did not go through" in r.content.decode()
    refund = Refund.objects.get()
    assert refund.status == "pending"
    settings.STRONGROOM_PAYMENTS = live
    console.post(f"/console/orders/{order.reference}/refunds/{refund.pk}/retry/")
    refund.refresh_from_db()
    assert refund.status == "succeeded"
    console.post(f"/console/orders/{order.reference}/refunds/{refund.pk}/retry/")
    assert sandbox.count("refunds") == 1
    order.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED


def test_crash_between_gateway_success_and_order_update_is_repaired_by_reconcile(
        client, sandbox, variant, monkeypatch, capsys):
    order, placed = place_order(client, variant)
    hosted = client.get(placed.url).url
    _, location, _ = sandbox.pay(hosted, "4242424242424242")  # charged at the gateway

    def killed(**kwargs):
        raise SystemExit("killed")  # the process dies mid-update: the transaction rolls back

    monkeypatch.setattr("strongroom.commerce.payments.services.order_mark_paid", killed)
    with pytest.raises(SystemExit):
        client.get(path_of(location))
    monkeypatch.undo()
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING  # and the webhook never came
    assert Payment.objects.get(order=order).status == PaymentStatus.AWAITING
    call_command("payments", "reconcile")
    out = capsys.readouterr().out
    assert "repaired" in out and order.reference in out
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    call_command("payments", "reconcile")  # idempotent: nothing more to do
    assert "1 ok" in capsys.readouterr().out
    assert OrderEvent.objects.filter(order=order, kind="paid").count() == 1


def test_reconcile_flags_money_taken_for_a_cancelled_order(client, sandbox, variant):
    order, placed = place_order(client, variant)
    hosted = client.get(placed.url).url
    order_transition(order=order, to_status=OrderStatus.CANCELLED)
    sandbox.pay(hosted, "4242424242424242")
    with pytest.raises(CommandError):
        call_command("payments", "reconcile")
    alert = PaymentAlert.objects.get(kind="reconcile")
    assert alert.subject == order.reference and "cancelled" in alert.message


def test_reconcile_with_the_gateway_down_says_so(client, sandbox, variant, settings):
    order, placed = place_order(client, variant)
    client.get(placed.url)
    settings.STRONGROOM_PAYMENTS = replace(settings.STRONGROOM_PAYMENTS,
                                           sandbox_url="https://localhost:9")
    with pytest.raises(CommandError, match="cannot reach the payment gateway"):
        call_command("payments", "reconcile")

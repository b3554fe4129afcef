"""Money moves and payment-page decisions are audit events, written in the transaction
that makes the change, in an exact order (Zulip style): paid, refunds asked for and
answered, a payment-page baseline accepted, a payment alert resolved."""

from __future__ import annotations

import pytest

from strongroom.commerce.orders.models import OrderStatus
from strongroom.commerce.payments.errors import GatewayRefused
from strongroom.commerce.payments.models import PaymentAlert, Refund
from strongroom.commerce.payments.monitor import page_observe
from strongroom.commerce.payments.registry import gateway_get
from strongroom.commerce.payments.services import alert_resolve, page_baseline_accept
from strongroom.protection.alerts.models import Alert
from strongroom.protection.audit.events import ActorType, AuditEvent
from strongroom.sandbox.tests.kit import path_of
from strongroom.testing.auditing import audit_entries_since, audit_events_since, audit_mark

from .conftest import place_order
from .test_refunds_and_reconcile import _console, _paid_order

pytestmark = pytest.mark.django_db
E = AuditEvent


def test_paying_records_order_paid_once(client, sandbox, variant):
    order, placed = place_order(client, variant)
    hosted = client.get(placed.url).url
    _, location, _ = sandbox.pay(hosted, "4242424242424242")
    mark = audit_mark()
    client.get(path_of(location))  # the shopper's return; the webhook also arrives
    client.get(path_of(location))
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    entries = audit_entries_since(mark)
    assert [AuditEvent(e.event) for e in entries] == [E.ORDER_PAID]
    paid = entries[0]
    assert paid.actor_type == ActorType.SYSTEM and paid.subject_id == str(order.subject_id)
    assert paid.object_id == str(order.pk) and paid.reason in ("return", "webhook")


def test_staff_refunds_record_request_success_and_the_order_refunded(client, sandbox,
                                                                     variant, owner):
    order = _paid_order(client, sandbox, variant)
    console = _console(owner)
    mark = audit_mark()
    console.post(f"/console/orders/{order.reference}/refund/",
                 {"mode": "partial", "amount": "10.00", "reason": "scratched"})
    partial = audit_entries_since(mark)
    assert [AuditEvent(e.event) for e in partial] == [E.REFUND_REQUESTED, E.REFUND_SUCCEEDED]
    assert all(e.actor_id == str(owner.pk) and e.actor_type == ActorType.STAFF
               for e in partial)
    assert partial[0].reason == "10.00 EUR: scratched"
    assert partial[0].object_id == str(Refund.objects.get().pk)
    mark = audit_mark()
    console.post(f"/console/orders/{order.reference}/refund/", {"mode": "full"})
    full = audit_entries_since(mark)
    assert [AuditEvent(e.event) for e in full] == [
        E.REFUND_REQUESTED, E.REFUND_SUCCEEDED, E.ORDER_REFUNDED]
    assert full[2].actor_id == str(owner.pk) and full[2].reason == "refund"


def test_a_refund_the_gateway_refuses_records_refund_failed(client, sandbox, variant, owner,
                                                            monkeypatch):
    order = _paid_order(client, sandbox, variant)
    gateway_class = type(gateway_get())

    def refused(self, **kwargs):
        raise GatewayRefused("The payment service refused: test")

    monkeypatch.setattr(gateway_class, "refund", refused)
    console = _console(owner)
    mark = audit_mark()
    console.post(f"/console/orders/{order.reference}/refund/", {"mode": "full"})
    assert audit_events_since(mark) == [E.REFUND_REQUESTED, E.REFUND_FAILED]


def test_accepting_a_baseline_and_resolving_an_alert_are_recorded(client, variant, owner):
    page_observe(page="storefront:checkout", html=b"", headers={"X-Frame-Options": "DENY"})
    page_observe(page="storefront:checkout", html=b"", headers={"X-Frame-Options": "SAMEORIGIN"})
    changed = PaymentAlert.objects.get(kind="page_changed")
    listed = Alert.objects.get(kind="payments.page_changed")
    assert listed.severity == "high" and listed.is_open
    mark = audit_mark()
    page_baseline_accept(alert=changed, actor=owner)
    events = audit_entries_since(mark)
    assert [AuditEvent(e.event) for e in events] == [
        E.PAYMENT_PAGE_BASELINE_ACCEPTED, E.SECURITY_ALERT_ACKNOWLEDGED]
    assert events[0].actor_id == str(owner.pk) and events[0].reason.startswith(
        "storefront:checkout ")
    assert events[1].object_id == str(listed.pk)  # closed on the one alert page too

    page_observe(page="storefront:checkout", html=b"<script>steal()</script>", headers={})
    skimmer = PaymentAlert.objects.get(kind="unlisted_script")
    mark = audit_mark()
    assert alert_resolve(alert=skimmer, actor=owner) is True
    assert alert_resolve(alert=skimmer, actor=owner) is False  # once
    assert audit_events_since(mark) == [E.PAYMENT_ALERT_RESOLVED, E.SECURITY_ALERT_ACKNOWLEDGED]
    assert Alert.objects.get(kind="payments.unlisted_script").severity == "critical"
    assert not Alert.objects.filter(acknowledged_at=None).exists()

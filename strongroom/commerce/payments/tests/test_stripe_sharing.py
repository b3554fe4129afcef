"""The vendor sharing gate on the Stripe adapter, against fake Stripe at the network edge
(the real ``stripe`` library on our side): a field the register does not list for Stripe
never reaches Stripe, what is shared is audited (categories and counts, no values), and
with no register entry nothing is sent at all."""

from __future__ import annotations

import pytest

from strongroom.commerce.payments.models import Payment
from strongroom.protection.audit.events import AuditEvent
from strongroom.protection.people.models import Vendor
from strongroom.testing.auditing import audit_entries_since, audit_mark

from .conftest import order_for_api
from .test_stripe import _open, fake_stripe  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def test_unregistered_field_is_stripped_from_the_stripe_call(client, fake_stripe, variant):  # noqa: F811
    stripe_entry = Vendor.objects.get(key="stripe")
    stripe_entry.fields = {k: v for k, v in stripe_entry.fields.items() if k != "metadata"}
    stripe_entry.save()
    mark = audit_mark()
    order, payment = _open(client, fake_stripe, variant)
    method, path, form, _ = fake_stripe.requests[0]
    assert (method, path) == ("POST", "/v1/checkout/sessions")
    assert not any(k.startswith("metadata[") for k in form)  # stripped
    assert form["client_reference_id"] == order.reference  # registered: sent
    assert form["payment_intent_data[metadata][order]"] == order.reference
    shared = [e for e in audit_entries_since(mark) if e.event == AuditEvent.VENDOR_DATA_SHARED]
    assert len(shared) == 1
    assert "stripe: 1 record(s) for checkout" in shared[0].reason
    assert "dropped unregistered fields: metadata" in shared[0].reason
    assert order.reference not in shared[0].reason and str(payment.pk) not in shared[0].reason


def test_no_register_entry_sends_nothing(client, fake_stripe, variant):  # noqa: F811
    Vendor.objects.filter(key="stripe").update(active=False)
    mark = audit_mark()
    order, start = order_for_api(variant)
    hop = client.get(start.redirect_url)
    assert hop.status_code in {302, 503} and not fake_stripe.requests
    assert not hop.get("Location", "").startswith("https://checkout.stripe.com")
    assert AuditEvent.VENDOR_SHARE_REFUSED in [AuditEvent(e.event)
                                              for e in audit_entries_since(mark)]
    assert Payment.objects.filter(order=order, gateway_reference__startswith="cs_").count() == 0

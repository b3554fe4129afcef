"""Vendor register, sharing gate, email sender through the gate, reminders, the deploy
check vendors.E001 and ``strongroom vendors list``."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from strongroom.protection.alerts.selectors import alerts_open
from strongroom.protection.audit.events import AuditEvent
from strongroom.protection.people.checks import check_vendor_register, check_vendor_vetting
from strongroom.protection.people.errors import PeopleError, VendorUnregistered
from strongroom.protection.people.jobs import vendors_review_due
from strongroom.protection.people.models import Vendor
from strongroom.protection.people.services import vendor_assess, vendor_create, vendor_share
from strongroom.protection.people.vendors.selectors import vendor_flags
from strongroom.testing.auditing import audit_entries_since, audit_events_since, audit_mark
from strongroom.testing.staff import staff_make

pytestmark = pytest.mark.django_db
GATED_MAIL = {"EMAIL_BACKEND": "strongroom.protection.people.vendors.mail.SharingGateEmailBackend",
              "STRONGROOM_EMAIL_DELIVERY_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}


def test_seeded_register_has_the_gateway_and_the_email_provider():
    keys = set(Vendor.objects.values_list("key", flat=True))
    assert {"stripe", "email"} <= keys
    assert "user.contact.email" in Vendor.objects.get(key="email").categories


def test_share_keeps_registered_fields_and_records_categories_not_values():
    mark = audit_mark()
    kept = vendor_share(vendor="email", payload={"to": ["a@example.com"], "subject": "Hi",
                                                 "phone": "+4915112345678"}, records=1)
    assert kept == {"to": ["a@example.com"], "subject": "Hi"}
    [entry] = audit_entries_since(mark)
    assert entry.event == AuditEvent.VENDOR_DATA_SHARED
    assert entry.fields == "user.contact.email"
    assert "phone" in entry.reason and "+4915" not in entry.reason
    assert "a@example.com" not in entry.reason


def test_unregistered_vendor_fails_closed_and_is_audited():
    mark = audit_mark()
    with pytest.raises(VendorUnregistered):
        vendor_share(vendor="analytics", payload={"email": "x@example.com"})
    assert audit_events_since(mark) == [AuditEvent.VENDOR_SHARE_REFUSED]


@override_settings(**GATED_MAIL)
def test_email_sender_goes_through_the_gate():
    mark = audit_mark()
    mail.send_mail("Your order", "Thanks", None, ["buyer@example.com"])
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["buyer@example.com"]
    assert audit_events_since(mark) == [AuditEvent.VENDOR_DATA_SHARED]
    Vendor.objects.filter(key="email").update(active=False)
    with pytest.raises(VendorUnregistered):
        mail.send_mail("Your order", "Thanks", None, ["buyer@example.com"])
    assert len(mail.outbox) == 1


def test_expired_certification_is_accepted_but_flagged_and_reminded():
    owner = staff_make("owner")
    past = (timezone.localdate() - dt.timedelta(days=3)).isoformat()
    vendor = vendor_create(key="courier", by=owner, name="Courier Co", service="Deliveries",
                           purpose="Delivering parcels", legal_basis="contract",
                           region="EU", fields={"address": "user.contact.address"},
                           certifications=[{"name": "ISO 27001", "expires": past}],
                           next_review_on=timezone.localdate() + dt.timedelta(days=200))
    assert f"ISO 27001 expired on {past}" in vendor_flags(vendor=vendor)
    assert vendors_review_due()["vendors_flagged"] >= 1
    assert vendors_review_due()["vendors_flagged"] >= 1  # idempotent: deduplicated alert
    alerts = [a for a in alerts_open() if a.kind == "vendors.review_due"
              and "courier" in a.summary]
    assert len(alerts) == 1
    with pytest.raises(PeopleError):
        vendor_create(key="courier", by=owner, name="Again", service="x", purpose="x",
                      legal_basis="contract", region="EU",
                      next_review_on=timezone.localdate())


def test_assessment_score_and_unknown_question():
    owner = staff_make("owner")
    vendor = Vendor.objects.get(key="stripe")
    mark = audit_mark()
    assert vendor_assess(vendor=vendor, answers={"dpa": True, "encryption": True}, by=owner) == 29
    assert audit_events_since(mark) == [AuditEvent.VENDOR_ASSESSED]
    with pytest.raises(PeopleError):
        vendor_assess(vendor=vendor, answers={"nonsense": True}, by=owner)


def test_deploy_check_errors_for_an_active_integration_without_entry(settings):
    from strongroom.config import PaymentConfig

    settings.STRONGROOM_PAYMENTS = PaymentConfig(gateway="stripe", stripe_secret_key="sk_x",
                                                 stripe_webhook_secret="whsec_x")
    assert check_vendor_register() == []
    Vendor.objects.filter(key="stripe").update(active=False)
    assert [e.id for e in check_vendor_register()] == ["vendors.E001"]


def test_vendors_list_command_json_and_text():
    out = StringIO()
    call_command("vendors", "list", "--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    assert {"stripe", "email"} <= {d["key"] for d in data}
    text = StringIO()
    call_command("vendors", "list", stdout=text)
    assert "never assessed" in text.getvalue()


def test_the_generated_privacy_policy_lists_the_active_vendors(client):
    """The policy is generated from the vendor register too (and cannot drift from it)."""
    from strongroom.protection.people.models import Vendor

    html = client.get("/privacy/", secure=True).content.decode()
    assert 'id="policy-recipients"' in html
    for vendor in Vendor.objects.filter(active=True):
        assert vendor.name in html
    Vendor.objects.filter(key="stripe").update(active=False, name="Gone Payments Ltd")
    html = client.get("/privacy/", secure=True).content.decode()
    assert "Gone Payments Ltd" not in html


def test_an_overdue_review_is_flagged_as_such_and_alerts_high():
    """A vendor nobody reviewed keeps receiving data (checkout must not stop), but the
    register and the alert say plainly that its review has lapsed."""
    vendor = Vendor.objects.get(key="email")
    overdue = timezone.localdate() - dt.timedelta(days=1)
    Vendor.objects.filter(pk=vendor.pk).update(next_review_on=overdue)
    vendor.refresh_from_db()
    assert f"review overdue since {overdue}" in vendor_flags(vendor=vendor)
    vendors_review_due()
    [alert] = [a for a in alerts_open() if a.dedupe_key == "vendors.review_due:email:lapsed"]
    assert alert.severity == "high" and "overdue" in alert.summary
    [warning] = check_vendor_vetting()
    assert warning.id == "vendors.W001" and "'email'" in warning.msg

"""The privacy request queue: opening, verifying, the countdown, the overdue alert, and
an erasure that needs the permission (refusals audited), a fresh second factor and a
verified identity."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from strongroom.protection.access.roles import Role
from strongroom.protection.alerts.selectors import alerts_open
from strongroom.protection.audit.events import AuditEvent
from strongroom.protection.audit.models import AuditEntry
from strongroom.protection.privacy.models import PrivacyRequest
from strongroom.protection.privacy.requests import one_month_after, requests_overdue_alert
from strongroom.protection.vault.selectors import subject_is_erased
from strongroom.testing.factories import user_make
from strongroom.testing.staff import console_client, staff_make

pytestmark = pytest.mark.django_db
QUEUE = reverse("console:privacy_queue")


def _open(client, email: str, kind: str = "erasure") -> PrivacyRequest:
    r = client.post(QUEUE, {"kind": kind, "channel": "email", "email": email})
    assert r.status_code == 302, r.content
    return PrivacyRequest.objects.get(reference__isnull=False, user__isnull=False,
                                      pk=r["Location"].rstrip("/").rsplit("/", 1)[1])


def test_support_opens_and_verifies_but_cannot_erase_and_the_attempt_is_audited():
    customer = user_make(email="ann@example.test")
    support = console_client(staff_make(Role.SUPPORT))
    request = _open(support, "ann@example.test")
    assert request.due_at == one_month_after(request.received_at)
    page = support.get(QUEUE).content.decode()
    assert request.reference in page and "days left" in page
    detail = reverse("console:privacy_request", args=[request.pk])
    assert support.post(detail, {"action": "verified"}).status_code == 302
    request.refresh_from_db()
    assert request.verification == "verified"
    erase = reverse("console:privacy_request_erase", args=[request.pk])
    assert support.post(erase).status_code == 403
    assert not subject_is_erased(subject_id=customer.subject_id)
    refused = AuditEntry.objects.get(event=AuditEvent.ERASURE_REFUSED)
    assert refused.reason == "no privacy.erase permission"
    assert AuditEntry.objects.filter(event=AuditEvent.ERASURE_REQUESTED).count() == 1


def test_owner_erases_a_verified_request_only_with_a_fresh_second_factor():
    customer = user_make(email="bob@example.test")
    owner = console_client(staff_make(Role.OWNER))
    request = _open(owner, "bob@example.test")
    erase = reverse("console:privacy_request_erase", args=[request.pk])
    owner.post(erase)  # not verified yet: refused, nothing erased
    assert not subject_is_erased(subject_id=customer.subject_id)
    assert AuditEntry.objects.filter(event=AuditEvent.ERASURE_REFUSED).count() == 1
    owner.post(reverse("console:privacy_request", args=[request.pk]), {"action": "verified"})
    stale = console_client(staff_make(Role.OWNER), mfa=False)
    r = stale.post(erase)
    assert r.status_code == 302 and "verify" in r["Location"]
    assert not subject_is_erased(subject_id=customer.subject_id)
    assert owner.post(erase).status_code == 302
    assert subject_is_erased(subject_id=customer.subject_id)
    request.refresh_from_db()
    assert request.status == "done" and "receipt" in request.outcome


def test_unknown_email_and_bad_input_are_400_and_other_roles_403():
    owner = console_client(staff_make(Role.OWNER))
    r = owner.post(QUEUE, {"kind": "erasure", "channel": "email", "email": "no@example.test"})
    assert r.status_code == 400 and "No customer account" in r.content.decode()
    assert owner.post(QUEUE, {"kind": "everything", "channel": "fax",
                              "email": "x"}).status_code == 400
    assert owner.get(reverse("console:privacy_request",
                             args=["00000000-0000-0000-0000-000000000000"])).status_code == 404
    for role in (Role.FULFILMENT, Role.MARKETING, Role.AUDITOR, Role.SECURITY_OFFICER):
        assert console_client(staff_make(role)).get(QUEUE).status_code == 403
    auditor = console_client(staff_make(Role.AUDITOR))
    assert auditor.get(reverse("console:privacy_inventory")).status_code == 200
    assert auditor.get(reverse("console:privacy_ledger")).status_code == 200
    assert auditor.get(reverse("console:privacy_policy")).status_code == 403


def test_overdue_requests_raise_one_deduplicated_alert():
    user_make(email="cid@example.test")
    owner = console_client(staff_make(Role.OWNER))
    request = _open(owner, "cid@example.test", kind="access")
    assert requests_overdue_alert() == 0
    PrivacyRequest.objects.filter(pk=request.pk).update(
        due_at=timezone.now() - dt.timedelta(days=1))
    assert requests_overdue_alert() == 1
    assert requests_overdue_alert() == 1
    alerts = [a for a in alerts_open() if a.kind == "privacy.request_overdue"]
    assert len(alerts) == 1 and alerts[0].count == 2
    assert "cid@" not in alerts[0].summary and request.reference in alerts[0].summary
    assert "overdue" in owner.get(QUEUE).content.decode()


def test_owner_adds_policy_text_and_a_new_version_is_published():
    owner = console_client(staff_make(Role.OWNER))
    page = reverse("console:privacy_policy")
    assert "This is the first version." in owner.get("/privacy/").content.decode()
    assert owner.post(page, {"title": "", "body": ""}).status_code == 400
    assert owner.post(page, {"title": "Complaints",
                             "body": "Write to the state data protection authority."}
                      ).status_code == 302
    public = owner.get("/privacy/").content.decode()
    assert "Complaints" in public and "Added: ## Complaints" in public
    inventory = owner.get(reverse("console:privacy_inventory")).content.decode()
    assert "orders.Order.email" in inventory and "user.contact.email" in inventory

"""Sign-in alerts in the console: who sees them, who acknowledges them (audited)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from strongroom.protection.access.roles import Role
from strongroom.protection.accounts.models import SecurityAlert
from strongroom.protection.audit.events import AuditEvent
from strongroom.protection.audit.models import AuditEntry
from strongroom.testing.staff import console_client, staff_make

pytestmark = pytest.mark.django_db
LIST = reverse("console:signin_alerts")


def _ack(alert_id: int) -> str:
    return reverse("console:signin_alert_ack", args=[alert_id])


def test_security_officer_sees_and_acknowledges_with_an_audit_event():
    alert = SecurityAlert.objects.create(kind="credential_stuffing",
                                         detail="10 accounts failed to sign in from one source")
    officer = staff_make(Role.SECURITY_OFFICER)
    client = console_client(officer)
    page = client.get(LIST).content.decode()
    assert "credential_stuffing" in page and _ack(alert.pk) in page
    assert client.post(_ack(alert.pk)).status_code == 302
    alert.refresh_from_db()
    assert alert.acknowledged_at is not None
    event = AuditEntry.objects.get(event=AuditEvent.SECURITY_ALERT_ACKNOWLEDGED)
    assert (event.actor_id, event.object_id, event.reason) == (
        str(officer.pk), str(alert.pk), "credential_stuffing")
    assert client.post(_ack(alert.pk)).status_code == 404  # once
    assert client.post(_ack(999_999)).status_code == 404
    assert "acknowledged" in client.get(LIST).content.decode()


def test_admin_reads_only_and_other_roles_see_nothing():
    alert = SecurityAlert.objects.create(kind="staff_locked", detail="a staff account locked")
    admin = console_client(staff_make(Role.ADMIN))
    page = admin.get(LIST).content.decode()
    assert "staff_locked" in page and _ack(alert.pk) not in page
    assert admin.post(_ack(alert.pk)).status_code == 403
    for role in (Role.SUPPORT, Role.FULFILMENT, Role.MARKETING, Role.AUDITOR):
        client = console_client(staff_make(role))
        assert client.get(LIST).status_code == 403
        assert client.post(_ack(alert.pk)).status_code == 403
    alert.refresh_from_db()
    assert alert.acknowledged_at is None
    assert console_client(staff_make(Role.OWNER)).post(_ack(alert.pk)).status_code == 302

"""The one alerts page: every kind of alert, who sees it, who acknowledges it (audited)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from strongroom.protection.access.roles import Role
from strongroom.protection.alerts.models import Alert
from strongroom.protection.alerts.services import alert_raise
from strongroom.protection.audit.events import AuditEvent
from strongroom.protection.audit.models import AuditEntry
from strongroom.testing.staff import console_client, staff_make

pytestmark = pytest.mark.django_db
LIST = reverse("console:alerts")


def _ack(alert_id: int) -> str:
    return reverse("console:alert_ack", args=[alert_id])


def test_old_names_still_reach_the_page():
    assert reverse("console:signin_alerts") == LIST == "/console/security/alerts/"
    assert reverse("console:signin_alert_ack", args=[3]) == _ack(3)


def test_every_kind_is_listed_with_severity_count_and_times():
    stuffing = alert_raise(kind="signin.credential_stuffing", source="accounts",
                           severity="high", summary="10 accounts failed from one source")
    for _ in range(3):
        reveal = alert_raise(kind="access.reveal_limit", source="access", severity="high",
                             summary="staff account 7 passed the reveal limit",
                             dedupe_key="access.reveal_limit:7")
    alert_raise(kind="backups.destination_failed", source="backups", severity="critical",
                summary="the S3 destination refused the upload")  # a kind this page never saw
    officer = console_client(staff_make(Role.SECURITY_OFFICER))
    page = officer.get(LIST).content.decode()
    for kind in ("signin.credential_stuffing", "access.reveal_limit",
                 "backups.destination_failed"):
        assert f'data-kind="{kind}"' in page
    assert f'id="alert-{reveal.pk}"' in page and "<td>3</td>" in page
    assert "1 critical" in page and "2 high" in page
    assert _ack(stuffing.pk) in page
    assert 'href="/console/security/alerts/" aria-current="page">Alerts</a>' in page


def test_security_officer_acknowledges_with_an_audit_event():
    alert = alert_raise(kind="signin.credential_stuffing", source="accounts", severity="high",
                        summary="10 accounts failed to sign in from one source")
    officer = staff_make(Role.SECURITY_OFFICER)
    client = console_client(officer)
    assert client.post(_ack(alert.pk)).status_code == 302
    alert.refresh_from_db()
    assert alert.acknowledged_at is not None and alert.acknowledged_by == officer
    event = AuditEntry.objects.get(event=AuditEvent.SECURITY_ALERT_ACKNOWLEDGED)
    assert (event.actor_id, event.object_type, event.object_id, event.reason) == (
        str(officer.pk), "alerts.alert", str(alert.pk), "signin.credential_stuffing")
    assert client.post(_ack(alert.pk)).status_code == 404  # once
    assert client.post(_ack(999_999)).status_code == 404
    assert "acknowledged" in client.get(LIST).content.decode()


def test_admin_reads_only_and_other_roles_see_nothing():
    alert = alert_raise(kind="signin.staff_locked", source="accounts", severity="medium",
                        summary="a staff account locked")
    admin = console_client(staff_make(Role.ADMIN))
    page = admin.get(LIST).content.decode()
    assert "signin.staff_locked" in page and _ack(alert.pk) not in page
    assert admin.post(_ack(alert.pk)).status_code == 403
    for role in (Role.SUPPORT, Role.FULFILMENT, Role.MARKETING, Role.AUDITOR):
        client = console_client(staff_make(role))
        assert client.get(LIST).status_code == 403
        assert client.post(_ack(alert.pk)).status_code == 403
        assert "/console/security/alerts/" not in client.get("/console/").content.decode()
    alert.refresh_from_db()
    assert alert.acknowledged_at is None
    assert console_client(staff_make(Role.OWNER)).post(_ack(alert.pk)).status_code == 302
    assert Alert.objects.get(pk=alert.pk).acknowledged_at is not None


def test_acknowledging_a_payment_alert_here_resolves_it_on_the_payments_page():
    from strongroom.commerce.payments.models import PaymentAlert
    from strongroom.commerce.payments.monitor import monitor_reset, page_observe
    from strongroom.testing.auditing import audit_events_since, audit_mark

    monitor_reset()
    page_observe(page="storefront:checkout", html=b"<script>steal()</script>", headers={})
    listed = Alert.objects.get(kind="payments.unlisted_script")
    officer = staff_make(Role.SECURITY_OFFICER)
    client = console_client(officer)
    mark = audit_mark()
    assert client.post(_ack(listed.pk)).status_code == 302
    assert audit_events_since(mark) == [AuditEvent.SECURITY_ALERT_ACKNOWLEDGED,
                                        AuditEvent.PAYMENT_ALERT_RESOLVED]
    assert PaymentAlert.objects.get().resolved_by == officer
    monitor_reset()

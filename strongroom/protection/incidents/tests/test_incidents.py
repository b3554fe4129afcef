"""Incidents: opened by hand or from an alert (audited, on the timeline), the lifecycle,
the console pages' permissions, the alerts page's button, `strongroom incidents list`."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from strongroom.protection.access.roles import Role
from strongroom.protection.alerts.services import alert_raise
from strongroom.protection.audit.events import AuditEvent
from strongroom.protection.incidents import selectors, services
from strongroom.protection.incidents.errors import IncidentError
from strongroom.protection.incidents.models import Incident, Status
from strongroom.testing.auditing import audit_entries_since, audit_events_since, audit_mark
from strongroom.testing.staff import console_client, staff_make

pytestmark = pytest.mark.django_db


def _alert(staff_id: str = "42"):
    alert_raise(kind="access.reveal_limit", source="access", severity="high",
                summary=f"staff account {staff_id} passed the reveal limit",
                detail={"staff_id": staff_id}, dedupe_key=f"access.reveal_limit:{staff_id}")
    from strongroom.protection.alerts.models import Alert
    return Alert.objects.get(dedupe_key=f"access.reveal_limit:{staff_id}")


def test_open_by_hand_is_audited_and_on_the_timeline():
    officer = staff_make(Role.SECURITY_OFFICER)
    mark = audit_mark()
    incident = services.incident_open(title="Laptop lost", kind="lost_device",
                                      severity="medium", by=officer)
    assert audit_events_since(mark) == [AuditEvent.INCIDENT_OPENED]
    assert incident.number == 1 and incident.status == Status.DETECTED
    assert incident.deadline - incident.became_aware_at == dt.timedelta(hours=72)
    lines = selectors.incident_timeline(incident=incident)
    assert sorted(line.kind for line in lines) == ["Audit", "Status"]


@pytest.mark.parametrize("kwargs", [
    {"title": " ", "kind": "lost_device", "severity": "low"},
    {"title": "x", "kind": "meteor", "severity": "low"},
    {"title": "x", "kind": "lost_device", "severity": "apocalyptic"},
    {"title": "x", "kind": "lost_device", "severity": "low",
     "became_aware_at": timezone.now() + dt.timedelta(days=1)},
])
def test_bad_input_is_refused_and_nothing_written(kwargs):
    with pytest.raises(IncidentError):
        services.incident_open(by=staff_make(Role.OWNER), **kwargs)
    assert not Incident.objects.exists()


def test_one_click_from_an_alert_follows_its_staff_account():
    officer = staff_make(Role.SECURITY_OFFICER)
    alert = _alert("42")
    incident = services.incident_open_from_alert(alert_id=alert.pk, by=officer)
    assert (incident.kind, incident.severity, incident.actor_id) == ("data_breach", "high", "42")
    assert incident.became_aware_at == alert.first_seen
    again = services.incident_open_from_alert(alert_id=alert.pk, by=officer)
    assert again.pk == incident.pk and Incident.objects.count() == 1


def test_lifecycle_moves_one_step_and_review_needs_a_cause():
    owner = staff_make(Role.OWNER)
    incident = services.incident_open(title="t", kind="data_breach", severity="high", by=owner)
    seen = []
    for _ in range(5):
        seen.append(services.incident_advance(incident=incident, by=owner).status)
    assert seen == ["triaged", "contained", "eradicated", "recovered", "closed"]
    assert incident.closed_at is not None
    with pytest.raises(IncidentError, match="review"):
        services.incident_advance(incident=incident, by=owner)
    services.incident_review_set(incident=incident, by=owner, cause="phished password",
                                 lessons="MFA on support", follow_ups="train support")
    mark = audit_mark()
    assert services.incident_advance(incident=incident, by=owner).status == "reviewed"
    assert [e.reason for e in audit_entries_since(mark)] == ["status closed -> reviewed"]


def test_timeline_collects_the_actors_audit_events(breach):
    support, *_ = breach
    officer = staff_make(Role.SECURITY_OFFICER)
    incident = services.incident_open(title="t", kind="data_breach", severity="high",
                                      by=officer, actor_id=str(support.pk))
    reveals = [line for line in selectors.incident_timeline(incident=incident)
               if line.audit is not None and line.audit.event == AuditEvent.FIELD_REVEALED]
    assert len(reveals) == 30


def test_pages_owner_and_officer_only():
    officer = console_client(staff_make(Role.SECURITY_OFFICER))
    incident = services.incident_open(title="t", kind="data_breach", severity="high",
                                      by=staff_make(Role.OWNER))
    detail = reverse("console:incident_detail", args=[incident.pk])
    assert officer.get(reverse("console:incident_list")).status_code == 200
    assert officer.get(detail).status_code == 200
    for role in (Role.SUPPORT, Role.ADMIN, Role.AUDITOR):
        client = console_client(staff_make(role))
        assert client.get(reverse("console:incident_list")).status_code == 403
        assert client.get(detail).status_code == 403
        assert client.post(reverse("console:incident_action",
                                   args=[incident.pk, "advance"])).status_code == 403


def test_console_open_note_and_bad_form():
    officer = console_client(staff_make(Role.SECURITY_OFFICER))
    response = officer.post(reverse("console:incident_list"), {
        "title": "Stuffing", "kind": "account_takeover", "severity": "high"})
    incident = Incident.objects.get()
    assert response.status_code == 302
    assert officer.post(reverse("console:incident_list"), {"title": ""}).status_code == 400
    url = reverse("console:incident_action", args=[incident.pk, "note"])
    assert officer.post(url, {"text": "called the bank"}).status_code == 302
    assert officer.post(url, {"text": ""}).status_code == 400
    page = officer.get(reverse("console:incident_detail", args=[incident.pk])).content.decode()
    assert "called the bank" in page
    bad = reverse("console:incident_action", args=[incident.pk, "explode"])
    assert officer.post(bad).status_code == 404
    scope = reverse("console:incident_action", args=[incident.pk, "scope"])
    response = officer.post(scope, {"kind": "actor", "value": "x@example.test",
                                    "since": "2026-01-02 00:00", "until": "2026-01-01 00:00"})
    assert response.status_code == 400
    response = officer.post(scope, {"kind": "actor", "value": "nobody@example.test",
                                    "since": "2026-01-01 00:00", "until": "2026-01-02 00:00"})
    assert response.status_code == 400 and b"no account" in response.content


def test_alerts_page_creates_an_incident_in_one_click():
    officer = console_client(staff_make(Role.SECURITY_OFFICER))
    alert = _alert("7")
    page = officer.get(reverse("console:alerts")).content.decode()
    url = reverse("console:incident_from_alert", args=[alert.pk])
    assert url in page and "Create incident" in page
    response = officer.post(url)
    incident = Incident.objects.get()
    assert response["Location"] == reverse("console:incident_detail", args=[incident.pk])
    assert officer.post(reverse("console:incident_from_alert", args=[999999])).status_code == 404


def test_console_scope_is_kept_on_the_incident(breach):
    support, _owner, victims, _others = breach
    officer = console_client(staff_make(Role.SECURITY_OFFICER))
    incident = services.incident_open(title="t", kind="data_breach", severity="high",
                                      by=staff_make(Role.OWNER))
    now = timezone.now()
    response = officer.post(reverse("console:incident_action", args=[incident.pk, "scope"]), {
        "kind": "actor", "value": support.email,
        "since": (now - dt.timedelta(hours=1)).strftime("%Y-%m-%d %H:%M"),
        "until": (now + dt.timedelta(hours=1)).strftime("%Y-%m-%d %H:%M")})
    assert response.status_code == 302
    assert {s.subject_id for s in incident.scope.all()} == {v.subject_id for v in victims}
    incident.refresh_from_db()
    assert incident.actor_id == str(support.pk)


def test_list_command(capsys):
    services.incident_open(title="Lost laptop", kind="lost_device", severity="low",
                           by=staff_make(Role.OWNER))
    call_command("incidents", "list")
    assert "INC-1" in capsys.readouterr().out

"""Tabletop exercises (PCI DSS 12.10.2): containment recorded but not executed, nobody
mailed, no regulator clock, the times taken reported."""

from __future__ import annotations

import pytest
from django.urls import reverse

from strongroom.protection.access.roles import Role
from strongroom.protection.access.selectors import reveals_frozen
from strongroom.protection.accounts.models import UserSession
from strongroom.protection.audit.events import AuditEvent
from strongroom.protection.incidents import containment, notices, selectors, services
from strongroom.protection.incidents.errors import IncidentError
from strongroom.testing.auditing import audit_events_since, audit_mark
from strongroom.testing.staff import console_client, staff_make

pytestmark = pytest.mark.django_db


def test_exercise_rehearses_without_executing():
    owner = staff_make(Role.OWNER)
    support = staff_make(Role.SUPPORT)
    console_client(support)
    drill = services.incident_open(title="Drill", kind="data_breach", severity="high",
                                   by=owner, exercise=True)
    assert str(drill).startswith("EXERCISE-")
    mark = audit_mark()
    containment.contain_sign_out(incident=drill, by=owner, staff=True)
    containment.contain_reveals_freeze(incident=drill, by=owner, frozen=True)
    containment.contain_staff_disable(incident=drill, by=owner, staff_id=support.pk)
    assert audit_events_since(mark) == [AuditEvent.EXERCISE_ACTION_REHEARSED] * 3
    support.refresh_from_db()
    assert support.is_active and UserSession.objects.filter(user=support).exists()
    assert not reveals_frozen()
    services.incident_advance(incident=drill, by=owner)
    report = selectors.exercise_report(incident=drill)
    assert [s.what.split(":")[0] for s in report][-4:] == [
        "[exercise, not executed] sign out every staff member",
        "[exercise, not executed] freeze reveals and exports",
        "[exercise, not executed] disable staff account " + str(support.pk),
        "Status"]
    assert all(s.minutes >= 0 for s in report)
    with pytest.raises(IncidentError, match="exercise"):
        notices.notices_send(incident=drill, by=owner)
    assert not selectors.incidents_open().exists()  # no regulator clock for a drill


def test_exercise_from_the_console():
    client = console_client(staff_make(Role.OWNER))
    client.post(reverse("console:incident_list"), {"title": "Drill", "kind": "lost_device",
                                                   "severity": "low", "exercise": "on"})
    drill = selectors.incidents_list().get()
    assert drill.exercise
    page = client.get(reverse("console:incident_detail", args=[drill.pk])).content.decode()
    assert 'id="exercise-report"' in page and 'id="incident-clock"' not in page

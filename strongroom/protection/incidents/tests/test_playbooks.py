"""Playbooks: shipped for every type, editable per store, steps ticked on the timeline."""

from __future__ import annotations

import pytest
from django.urls import reverse

from strongroom.protection.access.roles import Role
from strongroom.protection.audit.events import AuditEvent
from strongroom.protection.incidents import playbooks, services
from strongroom.protection.incidents.errors import IncidentError
from strongroom.protection.incidents.models import EntryKind, Kind
from strongroom.testing.auditing import audit_events_since, audit_mark
from strongroom.testing.staff import console_client, staff_make

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", Kind.values)
def test_every_type_ships_a_playbook(kind):
    assert len(playbooks.playbook_steps(kind=kind)) >= 4


def test_tick_is_on_the_timeline_once():
    owner = staff_make(Role.OWNER)
    incident = services.incident_open(title="t", kind="lost_device", severity="low", by=owner)
    step = playbooks.playbook_steps(kind="lost_device")[1]
    mark = audit_mark()
    assert playbooks.playbook_tick(incident=incident, step=step, by=owner)
    assert not playbooks.playbook_tick(incident=incident, step=step, by=owner)
    assert audit_events_since(mark) == [AuditEvent.PLAYBOOK_STEP_DONE]
    assert incident.entries.filter(kind=EntryKind.PLAYBOOK).count() == 1
    assert dict(playbooks.playbook_checklist(incident=incident))[step] is True
    with pytest.raises(IncidentError):
        playbooks.playbook_tick(incident=incident, step="invented", by=owner)


def test_edited_playbook_replaces_the_shipped_one_and_bad_text_is_refused():
    officer = console_client(staff_make(Role.SECURITY_OFFICER))
    url = reverse("console:playbook_edit", args=["lost_device"])
    assert officer.get(url).status_code == 200
    assert officer.post(url, {"text": "no steps here"}).status_code == 400
    assert officer.post(url, {"text": "# Ours\n- [ ] Call the insurer\n"}).status_code == 302
    assert playbooks.playbook_steps(kind="lost_device") == ["Call the insurer"]
    assert officer.get(reverse("console:playbook_edit", args=["meteor"])).status_code == 404
    support = console_client(staff_make(Role.SUPPORT))
    assert support.get(url).status_code == 403


def test_tick_from_the_incident_page():
    owner = staff_make(Role.OWNER)
    incident = services.incident_open(title="t", kind="data_breach", severity="high", by=owner)
    client = console_client(owner)
    step = playbooks.playbook_steps(kind="data_breach")[0]
    page = client.get(reverse("console:incident_detail", args=[incident.pk])).content.decode()
    assert step in page
    url = reverse("console:incident_action", args=[incident.pk, "tick"])
    assert client.post(url, {"step": step}).status_code == 302
    assert client.post(url, {"step": "nope"}).status_code == 400
    assert incident.ticks.count() == 1

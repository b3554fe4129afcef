"""The post-incident review links to the risk register; the roles page shows and sets
who leads, communicates and handles the technical work."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from strongroom.protection.access.roles import Role
from strongroom.protection.audit.events import AuditEvent
from strongroom.protection.incidents import services
from strongroom.protection.posture.services import risk_create
from strongroom.testing.auditing import audit_entries_since, audit_events_since, audit_mark
from strongroom.testing.staff import console_client, staff_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    return staff_make(Role.OWNER)


@pytest.fixture
def incident(owner):
    return services.incident_open(title="t", kind="data_breach", severity="high", by=owner)


def _risk(code: str, owner):
    return risk_create(code=code, actor=owner, title=f"risk {code}", threat="x", asset="y",
                       likelihood=3, impact=4, owner="owner", treatment="z",
                       review_due=dt.date(2027, 1, 1))


def test_review_links_risks_from_the_register(incident, owner):
    t3, r12 = _risk("R-903", owner), _risk("R-12", owner)
    _risk("R-909", owner)
    client = console_client(owner)
    url = reverse("console:incident_action", args=[incident.pk, "review"])
    mark = audit_mark()
    response = client.post(url, {"cause": "phished password", "lessons": "", "follow_ups": "",
                                 "risks": "r-903, R-12"})
    assert response.status_code == 302
    assert audit_events_since(mark) == [AuditEvent.INCIDENT_UPDATED] * 2
    assert audit_entries_since(mark)[1].reason == "risks linked: R-903, R-12"
    assert set(incident.risk_links.values_list("risk_id", flat=True)) == {t3.pk, r12.pk}
    page = client.get(reverse("console:incident_detail", args=[incident.pk])).content.decode()
    assert reverse("console:posture_risk_edit", args=[t3.pk]) in page and "risk R-12" in page
    # Unknown codes: a 400 naming them, and nothing of the review saved either.
    mark = audit_mark()
    bad = client.post(url, {"cause": "changed", "lessons": "", "follow_ups": "",
                            "risks": "R-903, NOPE"})
    assert bad.status_code == 400 and b"NOPE" in bad.content
    assert audit_entries_since(mark) == []
    incident.refresh_from_db()
    assert incident.review_cause == "phished password"
    # The same links again write no event for them.
    mark = audit_mark()
    client.post(url, {"cause": "phished password", "lessons": "", "follow_ups": "",
                      "risks": "R-12,R-903"})
    assert audit_events_since(mark) == [AuditEvent.INCIDENT_UPDATED]


def test_roles_page_shows_and_sets_who_does_what(incident, owner):
    officer = staff_make(Role.SECURITY_OFFICER, full_name="Sec Officer")
    tech = staff_make(Role.ADMIN, full_name="Tech Person")
    client = console_client(owner)
    url = reverse("console:incident_roles", args=[incident.pk])
    page = client.get(url)
    assert page.status_code == 200 and "nobody yet" in page.content.decode()
    mark = audit_mark()
    response = client.post(url, {"lead": str(officer.pk), "communications": str(owner.pk),
                                 "technical": str(tech.pk)})
    assert response.status_code == 302
    assert audit_events_since(mark) == [AuditEvent.INCIDENT_UPDATED]
    assert audit_entries_since(mark)[0].reason.startswith(f"roles: lead {officer.pk}")
    incident.refresh_from_db()
    assert (incident.lead, incident.communications, incident.technical) == (officer, owner,
                                                                            tech)
    shown = client.get(url).content.decode()
    assert "Sec Officer" in shown and "Tech Person" in shown
    # The security officer sees it; support cannot; nobody sets a stranger.
    assert console_client(officer).get(url).status_code == 200
    assert console_client(staff_make(Role.SUPPORT)).get(url).status_code == 403
    mark = audit_mark()
    bad = client.post(url, {"lead": "00000000-0000-0000-0000-000000000000"})
    assert bad.status_code == 400 and audit_entries_since(mark) == []
    assert client.get(reverse("console:incident_roles",
                              args=["00000000-0000-0000-0000-000000000000"])).status_code == 404

"""The regulator deadline on the owner's clock: 72 real hours, shown in the owner's zone
with its abbreviation, correct across both daylight-saving changes; setting the zone is
audited and a bad name is a 400 with the reason."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from strongroom.protection.access.roles import Role
from strongroom.protection.audit.events import AuditEvent
from strongroom.protection.incidents import owner_time, services
from strongroom.protection.incidents.errors import IncidentError
from strongroom.protection.incidents.models import Incident
from strongroom.testing.auditing import audit_entries_since, audit_events_since, audit_mark
from strongroom.testing.staff import console_client, staff_make

pytestmark = pytest.mark.django_db
UTC = dt.UTC


@pytest.fixture(autouse=True)
def _fresh_zone():
    owner_time._cache = None
    yield
    owner_time._cache = None


def _incident_aware_at(at: dt.datetime) -> Incident:
    incident = services.incident_open(title="t", kind="data_breach", severity="high",
                                      by=staff_make(Role.OWNER))
    Incident.objects.filter(pk=incident.pk).update(became_aware_at=at)
    incident.refresh_from_db()
    return incident


def test_setting_the_zone_from_the_console_is_audited():
    client = console_client(staff_make(Role.SECURITY_OFFICER))
    mark = audit_mark()
    response = client.post(reverse("console:incident_time_zone"),
                           {"time_zone": "Europe/Berlin"})
    assert response.status_code == 302
    assert audit_events_since(mark) == [AuditEvent.SETTING_CHANGED]
    assert audit_entries_since(mark)[0].reason == "owner time zone UTC -> Europe/Berlin"
    assert owner_time.owner_time_zone().key == "Europe/Berlin"
    mark = audit_mark()
    assert client.post(reverse("console:incident_time_zone"),
                       {"time_zone": "Europe/Berlin"}).status_code == 302
    assert audit_entries_since(mark) == []  # unchanged: nothing to record


@pytest.mark.parametrize("name", ["Mars/Olympus", "", "../../etc/passwd", "x" * 300])
def test_a_bad_zone_is_a_400_with_the_reason(name):
    client = console_client(staff_make(Role.OWNER))
    mark = audit_mark()
    response = client.post(reverse("console:incident_time_zone"), {"time_zone": name})
    assert response.status_code == 400 and b"is not a time zone" in response.content
    assert audit_entries_since(mark) == []
    assert console_client(staff_make(Role.SUPPORT)).post(
        reverse("console:incident_time_zone"), {"time_zone": "UTC"}).status_code == 403


def test_spring_forward_the_deadline_is_72_real_hours():
    """Berlin moves from CET (+1) to CEST (+2) on 29 March 2026 at 02:00."""
    owner_time.owner_time_zone_set(name="Europe/Berlin", by=staff_make(Role.OWNER))
    incident = _incident_aware_at(dt.datetime(2026, 3, 27, 0, 30, tzinfo=UTC))
    assert incident.deadline == dt.datetime(2026, 3, 30, 0, 30, tzinfo=UTC)
    assert owner_time.owner_time(incident.became_aware_at) == \
        "2026-03-27 01:30 CET (Europe/Berlin)"
    assert owner_time.owner_time(incident.deadline) == "2026-03-30 02:30 CEST (Europe/Berlin)"
    client = console_client(staff_make(Role.OWNER))
    page = client.get(reverse("console:incident_detail", args=[incident.pk])).content.decode()
    assert "2026-03-30 02:30 CEST (Europe/Berlin) (2026-03-30 00:30 UTC)" in page
    # The clock on every console page, and the incident list, say the same.
    dashboard = client.get(reverse("console:dashboard")).content.decode()
    assert "2026-03-30 02:30 CEST (Europe/Berlin)" in dashboard
    listing = client.get(reverse("console:incident_list")).content.decode()
    assert "2026-03-30 02:30 CEST" in listing


def test_fall_back_and_another_zone():
    """Berlin returns to CET on 25 October 2026; New York to EST on 1 November 2026."""
    owner = staff_make(Role.OWNER)
    owner_time.owner_time_zone_set(name="Europe/Berlin", by=owner)
    incident = _incident_aware_at(dt.datetime(2026, 10, 23, 12, 0, tzinfo=UTC))
    assert owner_time.owner_time(incident.became_aware_at).startswith("2026-10-23 14:00 CEST")
    assert owner_time.owner_time(incident.deadline).startswith("2026-10-26 13:00 CET")
    owner_time.owner_time_zone_set(name="America/New_York", by=owner)
    late = dt.datetime(2026, 10, 30, 15, 0, tzinfo=UTC)
    assert owner_time.owner_time(late) == "2026-10-30 11:00 EDT (America/New_York)"
    assert owner_time.owner_time(late + dt.timedelta(hours=72)) == \
        "2026-11-02 10:00 EST (America/New_York)"


def test_utc_by_default():
    at = dt.datetime(2026, 3, 30, 0, 30, tzinfo=UTC)
    assert owner_time.owner_time(at) == "2026-03-30 00:30 UTC"
    with pytest.raises(IncidentError):
        owner_time.owner_time_zone_set(name="Nowhere/Town", by=None)

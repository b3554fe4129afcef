"""Blocking an address range from the incident page: 403 for every request from it
(IPv4, IPv6, IPv4-mapped), audited, expiring, liftable; bad input a 400 with the reason."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from strongroom.protection.access.roles import Role
from strongroom.protection.audit.events import AuditEvent
from strongroom.protection.incidents import blocking, services
from strongroom.protection.incidents.errors import IncidentError
from strongroom.protection.incidents.models import BlockedRange
from strongroom.testing.auditing import audit_entries_since, audit_events_since, audit_mark
from strongroom.testing.staff import console_client, staff_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def incident():
    blocking.blocked_cache_clear()
    yield services.incident_open(title="t", kind="data_breach", severity="high",
                                 by=staff_make(Role.OWNER))
    blocking.blocked_cache_clear()


def _from(ip: str) -> int:
    return Client().get("/", secure=True, REMOTE_ADDR=ip).status_code


def test_block_from_the_incident_page_refuses_the_range(incident):
    client = console_client(staff_make(Role.SECURITY_OFFICER))
    url = reverse("console:incident_contain", args=[incident.pk, "block-range"])
    assert _from("203.0.113.9") == 200
    mark = audit_mark()
    assert client.post(url, {"network": "203.0.113.77/24", "hours": "2"}).status_code == 302
    assert audit_events_since(mark) == [AuditEvent.CONTAINMENT_RANGE_BLOCKED]
    assert audit_entries_since(mark)[0].reason.startswith("Blocked 203.0.113.0/24 until")
    assert _from("203.0.113.9") == 403
    assert _from("::ffff:203.0.113.9") == 403  # the same address, IPv4-mapped
    assert _from("203.0.114.1") == 200
    assert Client().get(reverse("console:login"), secure=True,
                        REMOTE_ADDR="203.0.113.200").status_code == 403  # console too
    page = client.get(reverse("console:incident_detail", args=[incident.pk]))
    assert b"203.0.113.0/24" in page.content
    # Lifted: the range is served again, and the lifting is audited.
    block = BlockedRange.objects.get()
    mark = audit_mark()
    lift = reverse("console:incident_contain", args=[incident.pk, "unblock-range"])
    assert client.post(lift, {"block_id": str(block.pk)}).status_code == 302
    assert audit_events_since(mark) == [AuditEvent.CONTAINMENT_RANGE_UNBLOCKED]
    assert _from("203.0.113.9") == 200
    assert client.post(lift, {"block_id": str(block.pk)}).status_code == 400


def test_ipv6_range(incident):
    blocking.range_block(incident=incident, by=staff_make(Role.OWNER),
                         network="2001:db8:abcd::/48", hours=1)
    assert _from("2001:db8:abcd:1::5") == 403
    assert _from("2001:db8:abce::5") == 200
    assert _from("203.0.113.9") == 200


def test_a_block_expires(incident):
    block = blocking.range_block(incident=incident, by=staff_make(Role.OWNER),
                                 network="198.51.100.0/24", hours=1)
    assert _from("198.51.100.1") == 403
    BlockedRange.objects.filter(pk=block.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1))
    blocking.blocked_cache_clear()  # another process: its cache lapses within seconds
    assert _from("198.51.100.1") == 200


@pytest.mark.parametrize(("network", "hours", "message"), [
    ("not an address", "2", b"is not an address range"),
    ("203.0.113.0/33", "2", b"is not an address range"),
    ("10.0.0.0/7", "2", b"too wide"),
    ("2001:db8::/31", "2", b"too wide"),
    ("203.0.113.0/24", "0", b"1 to 720 hours"),
    ("203.0.113.0/24", "many", b"number of hours"),
    ("127.0.0.0/8", "2", b"your own address"),
])
def test_bad_input_is_a_400_with_the_reason(incident, network, hours, message):
    client = console_client(staff_make(Role.OWNER))
    mark = audit_mark()
    response = client.post(reverse("console:incident_contain", args=[incident.pk,
                                                                     "block-range"]),
                           {"network": network, "hours": hours}, REMOTE_ADDR="127.0.0.1")
    assert response.status_code == 400 and message in response.content
    assert audit_entries_since(mark) == [] and not BlockedRange.objects.exists()


def test_in_an_exercise_the_block_is_rehearsed(incident):
    owner = staff_make(Role.OWNER)
    drill = services.incident_open(title="d", kind="data_breach", severity="low", by=owner,
                                   exercise=True)
    mark = audit_mark()
    assert blocking.range_block(incident=drill, by=owner, network="192.0.2.0/24",
                                hours=1) is None
    assert audit_events_since(mark) == [AuditEvent.EXERCISE_ACTION_REHEARSED]
    assert _from("192.0.2.1") == 200
    with pytest.raises(IncidentError):
        blocking.range_unblock(incident=drill, by=owner, block_id="nope")

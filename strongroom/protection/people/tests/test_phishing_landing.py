"""The landing page as an attacker meets it: a link clicked twice counts once, a made-up,
tampered, expired or never-sent link is the same 404 recording nothing, a client sending
bad links is throttled (then even a good link gets the same 429, recording nothing) while
real clicks from one office are never throttled; "Report phishing" matches only a recent
simulation, so a real phish reported later still alerts."""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest
from django.core import mail, signing
from django.utils import timezone

from strongroom.protection.access.roles import Role
from strongroom.protection.alerts.models import Alert
from strongroom.protection.audit.events import AuditEvent
from strongroom.protection.people.models import PhishingTarget
from strongroom.protection.people.phishing.campaigns import SALT
from strongroom.protection.people.phishing.throttle import landing_miss
from strongroom.protection.people.selectors import campaign_counts
from strongroom.protection.people.services import phishing_campaign_schedule, phishing_report
from strongroom.testing.auditing import audit_events_since, audit_mark
from strongroom.testing.staff import HttpsClient, staff_make

pytestmark = pytest.mark.django_db


def _campaign(captured, *targets, send_at=None):
    owner = staff_make(Role.OWNER)
    with captured(execute=True):
        return phishing_campaign_schedule(template="parcel", by=owner, send_at=send_at,
                                          user_ids=[str(t.pk) for t in targets])


def _path(message) -> str:
    link = re.search(r"https?://\S+", message.body).group(0)
    return "/" + link.split("://", 1)[1].split("/", 1)[1]


def _visitor(ip: str) -> HttpsClient:
    return HttpsClient(REMOTE_ADDR=ip)


def test_every_dead_link_is_the_same_404_and_records_nothing(
        django_capture_on_commit_callbacks):
    agent = staff_make(Role.SUPPORT)
    later = _campaign(django_capture_on_commit_callbacks, agent,
                      send_at=timezone.now() + dt.timedelta(days=1))
    unsent = PhishingTarget.objects.get(campaign=later)

    class Past(signing.TimestampSigner):
        def timestamp(self) -> str:
            return signing.b62_encode(int(time.time()) - 91 * 86400)

    _campaign(django_capture_on_commit_callbacks, agent)
    sent = PhishingTarget.objects.exclude(sent_at=None).get()
    mark = audit_mark()
    visitor = _visitor("198.51.100.7")
    bodies = set()
    for token in (signing.dumps(10**9, salt=SALT),  # a real signature, nobody
                  signing.dumps(unsent.pk, salt=SALT),  # scheduled, never sent
                  Past(salt=SALT).sign_object(sent.pk),  # older than 90 days
                  signing.dumps(sent.pk, salt="another.salt"), "x" * 500):
        response = visitor.get(f"/notice/{token}/")
        assert response.status_code == 404
        bodies.add(response.content)
    assert len(bodies) == 1
    assert audit_events_since(mark) == []
    assert PhishingTarget.objects.exclude(clicked_at=None).count() == 0


def test_a_client_sending_bad_links_is_throttled_even_for_a_good_one(
        django_capture_on_commit_callbacks):
    agent = staff_make(Role.SUPPORT)
    campaign = _campaign(django_capture_on_commit_callbacks, agent)
    path = _path(mail.outbox[0])
    for _ in range(12):  # misses already counted for this client: a delay of a minute
        landing_miss(ip="203.0.113.9")
    mark = audit_mark()
    prober = _visitor("203.0.113.9")
    blocked = prober.get(path)
    assert blocked.status_code == 429 and int(blocked["Retry-After"]) > 0
    assert prober.get("/notice/made-up/").status_code == 429  # same answer for any link
    assert audit_events_since(mark) == []
    assert campaign_counts(campaign=campaign)["clicked"] == 0
    # Another client (the staff member at home) is not affected.
    assert _visitor("192.0.2.44").get(path).status_code == 200
    assert campaign_counts(campaign=campaign)["clicked"] == 1
    assert audit_events_since(mark) == [AuditEvent.PHISHING_LINK_CLICKED]


def test_real_clicks_from_one_office_are_never_throttled_and_count_once_each(
        django_capture_on_commit_callbacks):
    staff = [staff_make(Role.SUPPORT) for _ in range(3)]
    campaign = _campaign(django_capture_on_commit_callbacks, *staff)
    office = _visitor("2001:db8:1:2::10")
    for message in mail.outbox * 4:  # each link clicked four times from one network
        assert office.get(_path(message)).status_code == 200
    assert campaign_counts(campaign=campaign) == {"sent": 3, "clicked": 3, "reported": 0}


def test_a_bad_link_from_anywhere_in_an_ipv6_64_counts_for_the_whole_network():
    for n in range(12):  # the attacker rotates addresses inside their /64
        landing_miss(ip=f"2001:db8:aa:bb::{n + 1:x}")
    assert _visitor("2001:db8:aa:bb::ffff").get("/notice/x/").status_code == 429
    assert _visitor("2001:db8:aa:cc::1").get("/notice/x/").status_code == 404


def test_report_matches_only_a_recent_simulation(django_capture_on_commit_callbacks):
    agent = staff_make(Role.SUPPORT)
    _campaign(django_capture_on_commit_callbacks, agent)
    PhishingTarget.objects.update(sent_at=timezone.now() - dt.timedelta(days=20))
    _campaign(django_capture_on_commit_callbacks, agent,  # scheduled, not sent yet
              send_at=timezone.now() + dt.timedelta(days=1))
    mark = audit_mark()
    assert phishing_report(user=agent) is False  # a real phish: alert
    assert phishing_report(user=agent) is False  # reported twice: one alert, counted
    alert = Alert.objects.get(kind="people.phishing_reported")
    assert alert.count == 2
    assert audit_events_since(mark) == [AuditEvent.PHISHING_REPORTED] * 2

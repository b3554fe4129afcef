"""Phishing simulation: the email arrives with a signed link, the click is counted once
and puts the phishing module due again, a tampered link is a 404 recording nothing, the
report button counts reports (and alerts when no simulation matches), no pixels."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from strongroom.protection.access.roles import Role
from strongroom.protection.alerts.selectors import alerts_open
from strongroom.protection.audit.events import AuditEvent
from strongroom.protection.people.models import PhishingCampaign
from strongroom.protection.people.selectors import campaign_counts
from strongroom.protection.people.training.selectors import training_missing
from strongroom.testing.auditing import audit_events_since, audit_mark
from strongroom.testing.staff import HttpsClient, console_client, staff_make

pytestmark = pytest.mark.django_db


def _send(owner, *targets, captured):
    client = console_client(owner)
    with captured(execute=True):
        response = client.post(reverse("console:phishing"), {
            "template": "parcel", "staff": [str(t.pk) for t in targets]})
    assert response.status_code == 302
    return PhishingCampaign.objects.get()


def test_campaign_email_link_click_counted_once_and_module_due(
        django_capture_on_commit_callbacks):
    owner, agent = staff_make(Role.OWNER), staff_make(Role.SUPPORT)
    campaign = _send(owner, agent, captured=django_capture_on_commit_callbacks)
    [message] = mail.outbox
    assert message.to == [agent.email] and "<img" not in message.body
    link = re.search(r"https?://\S+", message.body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    assert training_missing(user=agent) == []
    mark = audit_mark()
    visitor = HttpsClient()
    first = visitor.get("/" + path)
    assert first.status_code == 200 and "phishing test" in first.content.decode()
    assert visitor.get("/" + path).status_code == 200
    assert campaign_counts(campaign=campaign) == {"sent": 1, "clicked": 1, "reported": 0}
    assert audit_events_since(mark) == [AuditEvent.PHISHING_LINK_CLICKED]
    assert [m.slug for m in training_missing(user=agent)] == ["phishing"]


def test_tampered_link_is_404_and_records_nothing(django_capture_on_commit_callbacks):
    owner, agent = staff_make(Role.OWNER), staff_make(Role.SUPPORT)
    campaign = _send(owner, agent, captured=django_capture_on_commit_callbacks)
    link = re.search(r"https?://\S+", mail.outbox[0].body).group(0)
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    mark = audit_mark()
    tampered = path[:-3] + ("AAA" if not path.endswith("AAA/") else "BBB") + "/"
    assert HttpsClient().get(tampered.replace("//", "/")).status_code == 404
    assert HttpsClient().get("/notice/1/").status_code == 404
    assert audit_events_since(mark) == []
    assert campaign_counts(campaign=campaign)["clicked"] == 0


def test_report_button_counts_and_alerts_when_possibly_real(
        django_capture_on_commit_callbacks):
    owner, agent = staff_make(Role.OWNER), staff_make(Role.SUPPORT)
    campaign = _send(owner, agent, captured=django_capture_on_commit_callbacks)
    client = console_client(agent)
    assert client.post(reverse("console:phishing_report")).status_code == 302
    assert campaign_counts(campaign=campaign)["reported"] == 1
    assert not any(a.kind == "people.phishing_reported" for a in alerts_open())
    client.post(reverse("console:phishing_report"))  # nothing simulated left: maybe real
    assert any(a.kind == "people.phishing_reported" for a in alerts_open())


def test_bad_campaign_input_is_400_and_support_cannot_send():
    owner = staff_make(Role.OWNER)
    client = console_client(owner)
    assert client.post(reverse("console:phishing"), {"template": "nope"}).status_code == 400
    assert client.post(reverse("console:phishing"),
                       {"template": "parcel", "staff": ["x' or 1=1"]}).status_code == 400
    assert not PhishingCampaign.objects.exists()
    assert console_client(staff_make(Role.SUPPORT)).get(
        reverse("console:phishing")).status_code == 403

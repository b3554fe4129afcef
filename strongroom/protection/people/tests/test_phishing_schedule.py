"""Scheduled phishing campaigns: the send time is entered in the store's time zone,
the task queue sends a campaign once when its time comes (the minute tick as the worker
runs it, or the task for "now"), a cancelled campaign sends nothing, and a time in the
past or bad input is a 400 with the form's message. Exact audit sequences throughout."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from strongroom.jobs.internal import runner
from strongroom.jobs.models import PendingTask, TaskStatus
from strongroom.protection.access.roles import Role
from strongroom.protection.audit.events import AuditEvent
from strongroom.protection.mailer.models import MailStatus, Outbox
from strongroom.protection.people.errors import CampaignClosed
from strongroom.protection.people.models import CampaignStatus, PhishingCampaign
from strongroom.protection.people.phishing.campaigns import phishing_campaigns_due
from strongroom.protection.people.services import (
    phishing_campaign_cancel,
    phishing_campaign_schedule,
)
from strongroom.testing.auditing import audit_events_since, audit_mark
from strongroom.testing.staff import console_client, staff_make

pytestmark = pytest.mark.django_db
S = AuditEvent


def _local(at: dt.datetime) -> str:
    """What the owner types in the form: the store's wall-clock time."""
    return timezone.localtime(at).strftime("%Y-%m-%dT%H:%M")


def _post(client, *staff, send_at: str = "", template: str = "parcel"):
    return client.post(reverse("console:phishing"), {
        "template": template, "staff": [str(s.pk) for s in staff], "send_at": send_at})


def test_a_later_campaign_waits_then_the_worker_tick_sends_it_once(
        django_capture_on_commit_callbacks):
    owner, agent = staff_make(Role.OWNER), staff_make(Role.SUPPORT)
    client = console_client(owner)
    mark = audit_mark()
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, agent, send_at=_local(timezone.now() + dt.timedelta(hours=2)))
    assert response.status_code == 302
    campaign = PhishingCampaign.objects.get()
    assert campaign.status == CampaignStatus.SCHEDULED and mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):  # the tick before it is due
        assert runner.job_execute(name="phishing-campaigns-due", trigger="manual")
    assert mail.outbox == [] and audit_events_since(mark) == [S.PHISHING_CAMPAIGN_SCHEDULED]
    # Its time comes: the worker's tick releases it; a second tick finds nothing to do.
    PhishingCampaign.objects.filter(pk=campaign.pk).update(
        send_at=timezone.now() - dt.timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        runner.job_execute(name="phishing-campaigns-due", trigger="schedule",
                           slot="2026-12-07T10:15:00+00:00")
        runner.job_execute(name="phishing-campaigns-due", trigger="schedule",
                           slot="2026-12-07T10:20:00+00:00")
    [message] = mail.outbox
    assert message.to == [agent.email] and "/notice/" in message.body
    assert audit_events_since(mark) == [S.PHISHING_CAMPAIGN_SCHEDULED, S.PHISHING_CAMPAIGN_SENT]
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SENT and campaign.sent_at is not None
    row = Outbox.objects.get(kind="phishing")  # the signed link never sat in clear
    assert row.status == MailStatus.SENT and str(row.body) == ""


def test_now_goes_through_the_task_with_ids_only(django_capture_on_commit_callbacks):
    owner, agent = staff_make(Role.OWNER), staff_make(Role.SUPPORT)
    client = console_client(owner)
    mark = audit_mark()
    with django_capture_on_commit_callbacks(execute=True):
        assert _post(client, agent).status_code == 302
    campaign = PhishingCampaign.objects.get()
    task = PendingTask.objects.get(name="phishing-campaign-send")
    assert task.kwargs == {"campaign_id": campaign.pk} and task.status == TaskStatus.DONE
    assert len(mail.outbox) == 1
    assert audit_events_since(mark) == [S.PHISHING_CAMPAIGN_SCHEDULED, S.PHISHING_CAMPAIGN_SENT]


def test_cancel_before_sending_sends_nothing_and_is_audited(django_capture_on_commit_callbacks):
    owner, agent = staff_make(Role.OWNER), staff_make(Role.SUPPORT)
    client = console_client(owner)
    _post(client, agent, send_at=_local(timezone.now() + dt.timedelta(days=1)))
    campaign = PhishingCampaign.objects.get()
    url = reverse("console:phishing_cancel", args=[campaign.pk])
    assert console_client(staff_make(Role.SUPPORT)).post(url).status_code == 403
    mark = audit_mark()
    assert client.post(url).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        assert phishing_campaigns_due(now=timezone.now() + dt.timedelta(days=2)) == {
            "campaigns": 0, "emails": 0}
    again = client.post(url)
    assert again.status_code == 409 and "already cancelled" in again.content.decode()
    assert client.post(reverse("console:phishing_cancel", args=[99999])).status_code == 404
    assert client.post(reverse("console:phishing_cancel", args=["9" * 30])).status_code == 404
    assert mail.outbox == []
    assert audit_events_since(mark) == [S.PHISHING_CAMPAIGN_CANCELLED]
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.CANCELLED and campaign.cancelled_by == owner


def test_a_cancel_that_beats_the_queued_task_wins(django_capture_on_commit_callbacks):
    owner, agent = staff_make(Role.OWNER), staff_make(Role.SUPPORT)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        campaign = phishing_campaign_schedule(template="invoice", user_ids=[str(agent.pk)],
                                              by=owner)
    phishing_campaign_cancel(campaign_id=campaign.pk, by=owner)
    for callback in queued:  # the worker picks the task up after the cancel
        callback()
    assert mail.outbox == []
    with pytest.raises(CampaignClosed):
        phishing_campaign_cancel(campaign_id=campaign.pk, by=owner)


def test_a_sent_campaign_cannot_be_cancelled(django_capture_on_commit_callbacks):
    owner, agent = staff_make(Role.OWNER), staff_make(Role.SUPPORT)
    with django_capture_on_commit_callbacks(execute=True):
        campaign = phishing_campaign_schedule(template="parcel", user_ids=[str(agent.pk)],
                                              by=owner)
    client = console_client(owner)
    mark = audit_mark()
    response = client.post(reverse("console:phishing_cancel", args=[campaign.pk]))
    assert response.status_code == 409 and "already sent" in response.content.decode()
    assert audit_events_since(mark) == []


@pytest.mark.parametrize(("send_at", "message"), [
    ("past", "That time has passed"),
    ("far", "within the next 12 months"),
    ("tomorrow at nine", "Enter a valid date/time"),
    ("2026-13-45T25:61", "Enter a valid date/time"),
])
def test_a_bad_send_time_is_a_400_with_the_reason(send_at, message):
    owner, agent = staff_make(Role.OWNER), staff_make(Role.SUPPORT)
    client = console_client(owner)
    now = timezone.now()
    typed = {"past": _local(now - dt.timedelta(hours=1)),
             "far": _local(now + dt.timedelta(days=400))}.get(send_at, send_at)
    mark = audit_mark()
    response = _post(client, agent, send_at=typed)
    assert response.status_code == 400 and message in response.content.decode()
    assert not PhishingCampaign.objects.exists() and audit_events_since(mark) == []


def test_only_active_staff_can_be_chosen():
    owner = staff_make(Role.OWNER)
    gone = staff_make(Role.SUPPORT)
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    client = console_client(owner)
    assert _post(client, gone).status_code == 400  # not offered: not a valid choice
    with pytest.raises(Exception, match="active staff member"):
        phishing_campaign_schedule(template="parcel", user_ids=[str(gone.pk), "x"], by=owner)
    assert not PhishingCampaign.objects.exists()


def test_the_time_is_entered_and_shown_in_the_store_time_zone(settings):
    settings.TIME_ZONE = "Europe/Paris"
    owner, agent = staff_make(Role.OWNER), staff_make(Role.SUPPORT)
    client = console_client(owner)
    paris = zoneinfo.ZoneInfo("Europe/Paris")
    day = (timezone.now() + dt.timedelta(days=3)).astimezone(paris).date()
    assert _post(client, agent, send_at=f"{day}T09:00").status_code == 302
    campaign = PhishingCampaign.objects.get()
    assert campaign.send_at == dt.datetime.combine(day, dt.time(9, 0), tzinfo=paris)
    page = client.get(reverse("console:phishing")).content.decode()
    assert "Send at (Europe/Paris)" in page and f"{day} 09:00" in page
    assert "Times in Europe/Paris" in page and "Cancel" in page

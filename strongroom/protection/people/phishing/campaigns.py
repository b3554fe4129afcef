"""Phishing campaigns: scheduled by the owner, sent by the task queue, cancellable until
then.

The owner picks a template, staff and a send time (entered and shown in the store's time
zone; stored in UTC). ``phishing_campaign_schedule`` records the campaign and its targets
and audits it; a campaign due now is handed to the ``phishing-campaign-send`` task, a later
one is released by the ``phishing-campaigns-due`` job (every 5 minutes). Release locks the
row and sends only a campaign still scheduled and due, once: a cancel, a second worker or
a re-run of the job finds it no longer scheduled and sends nothing. Each email goes
through the mailer's encrypted outbox (the signed link is a credential for the landing
page: never in the queue's storage, wiped once sent), only to staff still active then.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from strongroom.protection.access.selectors import staff_list
from strongroom.protection.audit.events import Actor, AuditEvent
from strongroom.protection.audit.services import audit_record
from strongroom.protection.mailer.services import mail_queue
from strongroom.protection.people.errors import CampaignClosed, CampaignNotFound, PeopleError
from strongroom.protection.people.models import CampaignStatus, PhishingCampaign, PhishingTarget
from strongroom.protection.people.phishing.library import TEMPLATES
from strongroom.publicurl import public_url

SALT = "strongroom.people.phishing"
GRACE = dt.timedelta(minutes=1)  # "now" typed a few seconds late is still now
HORIZON = dt.timedelta(days=365)


def phishing_campaign_schedule(*, template: str, user_ids: list[str], by: Any,
                               send_at: dt.datetime | None = None,
                               now: dt.datetime | None = None) -> PhishingCampaign:
    """Record a campaign to send at ``send_at`` (None: now) to the chosen active staff.
    Assumes the caller checked ``by`` may manage staff."""
    now = now or timezone.now()
    send_at = send_at or now
    if template not in TEMPLATES:
        raise PeopleError("Choose a template.", field="template")
    if timezone.is_naive(send_at):
        raise PeopleError("Give the send time with its time zone.", field="send_at")
    if send_at < now - GRACE:
        raise PeopleError("That time has passed: choose a time from now on.", field="send_at")
    if send_at > now + HORIZON:
        raise PeopleError("Choose a time within the next 12 months.", field="send_at")
    users = list(staff_list().filter(pk__in=_uuids(user_ids), is_active=True))
    if not users:
        raise PeopleError("Choose at least one active staff member.", field="staff")
    with transaction.atomic():
        campaign = PhishingCampaign.objects.create(template=template, created_by=by,
                                                   created_at=now, send_at=send_at)
        PhishingTarget.objects.bulk_create(
            [PhishingTarget(campaign=campaign, user=u) for u in users])
        audit_record(event=AuditEvent.PHISHING_CAMPAIGN_SCHEDULED, actor=by, object=campaign,
                     reason=f"{template} to {len(users)} staff at "
                            f"{send_at.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC")
        if send_at <= now:
            # Function-level import: people.jobs imports this module to declare its work.
            from strongroom.protection.people.jobs import campaign_send_task

            campaign_send_task.defer(campaign_id=campaign.pk)
    return campaign


def phishing_campaign_cancel(*, campaign_id: Any, by: Any) -> PhishingCampaign:
    """Cancel a campaign not sent yet. Assumes the caller checked ``by`` may manage staff."""
    with transaction.atomic():
        campaign = (PhishingCampaign.objects.select_for_update()
                    .filter(pk=_int(campaign_id)).first())
        if campaign is None:
            raise CampaignNotFound("No such campaign.")
        if campaign.status != CampaignStatus.SCHEDULED:
            raise CampaignClosed(f"This campaign was already {campaign.status}: "
                                 "nothing changed.")
        campaign.status, campaign.cancelled_at = CampaignStatus.CANCELLED, timezone.now()
        campaign.cancelled_by = by
        campaign.save(update_fields=["status", "cancelled_at", "cancelled_by"])
        audit_record(event=AuditEvent.PHISHING_CAMPAIGN_CANCELLED, actor=by, object=campaign,
                     reason=f"{campaign.template}, was due "
                            f"{campaign.send_at.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC")
    return campaign


def phishing_campaign_release(*, campaign_id: int, now: dt.datetime | None = None) -> int:
    """The worker's side: queue the emails of a scheduled campaign that is due, once.
    Returns how many were queued (0: not due, cancelled or already sent)."""
    now = now or timezone.now()
    with transaction.atomic():
        campaign = (PhishingCampaign.objects.select_for_update()
                    .filter(pk=campaign_id, status=CampaignStatus.SCHEDULED,
                            send_at__lte=now).first())
        if campaign is None:
            return 0
        template = TEMPLATES[campaign.template]
        active = set(staff_list().filter(is_active=True).values_list("pk", flat=True))
        targets = [t for t in campaign.targets.select_related("user") if t.user_id in active]
        for target in targets:
            token = signing.dumps(target.pk, salt=SALT)
            link = public_url(reverse("phish_landing", args=[token]))
            mail_queue(subject_id=target.user.subject_id, to=target.user.email,
                       headline=template.subject, body=template.body.format(link=link),
                       kind="phishing")
        PhishingTarget.objects.filter(pk__in=[t.pk for t in targets]).update(sent_at=now)
        campaign.status, campaign.sent_at = CampaignStatus.SENT, now
        campaign.save(update_fields=["status", "sent_at"])
        audit_record(event=AuditEvent.PHISHING_CAMPAIGN_SENT,
                     actor=Actor.system("phishing-campaign"), object=campaign,
                     reason=f"{campaign.template} to {len(targets)} staff")
    return len(targets)


def phishing_campaigns_due(*, now: dt.datetime | None = None) -> dict[str, int]:
    """The job: release every scheduled campaign whose time has come."""
    now = now or timezone.now()
    due = list(PhishingCampaign.objects.filter(status=CampaignStatus.SCHEDULED,
                                               send_at__lte=now).values_list("pk", flat=True))
    emails = sum(phishing_campaign_release(campaign_id=pk, now=now) for pk in due)
    return {"campaigns": len(due), "emails": emails}


def _uuids(values: list[str]) -> list[uuid.UUID]:
    out = []
    for value in values:
        try:
            out.append(uuid.UUID(str(value)))
        except (TypeError, ValueError, AttributeError):
            continue  # not an account id: chooses nobody
    return out


def _int(value: Any) -> int:
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return 0
    return number if 0 < number < 2**63 else 0  # a database integer, or matches nothing

"""Phishing simulation (in the manner of GoPhish): the owner sends chosen staff a
simulated phishing email from a template; its link is signed per recipient (a tampered
or made-up link is a 404 and records nothing); the landing page explains it was a test;
the first click is counted once and puts the phishing module due again; the console's
"Report phishing" button records reports. No tracking pixels: only the click and the
report are counted, never opens.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from strongroom.protection.access.gates import refusal_forget
from strongroom.protection.access.selectors import staff_list
from strongroom.protection.alerts.services import alert_raise
from strongroom.protection.audit.events import AuditEvent
from strongroom.protection.audit.services import audit_record
from strongroom.protection.people.errors import PeopleError
from strongroom.protection.people.models import (
    PhishingCampaign,
    PhishingTarget,
    TrainingCompletion,
)

SALT = "strongroom.people.phishing"
TEMPLATES: dict[str, tuple[str, str, str]] = {  # key: (label, subject, body with {link})
    "parcel": ("Parcel held at depot", "Your parcel could not be delivered",
               "Hello,\n\nWe tried to deliver a parcel for the store today. Confirm your "
               "details within 24 hours or it will be returned:\n\n{link}\n\nDelivery team"),
    "password": ("Password expires today", "Action required: your password expires today",
                 "Your console password expires in 2 hours. Keep your current password "
                 "here:\n\n{link}\n\nIT support"),
    "invoice": ("Unpaid supplier invoice", "Overdue invoice #44817",
                "Please find the overdue invoice for last month's order. Pay today to "
                "avoid suspension:\n\n{link}\n\nAccounts receivable"),
}


def phishing_campaign_send(*, template: str, user_ids: list[str], by: Any,
                           link: Callable[[str], str]) -> PhishingCampaign:
    """Send the template to each chosen active staff member (after commit). Assumes the
    caller checked ``by`` may manage staff."""
    if template not in TEMPLATES:
        raise PeopleError("Choose a template.", field="template")
    users = [u for u in staff_list().filter(pk__in=user_ids) if u.is_active]
    if not users:
        raise PeopleError("Choose at least one active staff member.", field="staff")
    _, subject, body = TEMPLATES[template]
    now = timezone.now()
    with transaction.atomic():
        campaign = PhishingCampaign.objects.create(template=template, created_by=by)
        targets = [PhishingTarget.objects.create(campaign=campaign, user=u, sent_at=now)
                   for u in users]
        audit_record(event=AuditEvent.PHISHING_CAMPAIGN_SENT, actor=by, object=campaign,
                     reason=f"{template} to {len(targets)} staff")
        for target in targets:
            url = link(signing.dumps(target.pk, salt=SALT))
            to = target.user.email
            transaction.on_commit(lambda to=to, url=url: send_mail(
                subject, body.format(link=url), None, [to], fail_silently=True))
    return campaign


def phishing_click(*, token: str) -> PhishingTarget | None:
    """The landing page's click; None for a tampered or unknown link (nothing recorded).
    Only the first click is counted."""
    try:
        target_id = int(signing.loads(token, salt=SALT))
    except (signing.BadSignature, TypeError, ValueError):
        return None
    now = timezone.now()
    with transaction.atomic():
        target = (PhishingTarget.objects.select_for_update().select_related("user")
                  .filter(pk=target_id).first())
        if target is None or target.clicked_at is not None:
            return target
        target.clicked_at = now
        target.save(update_fields=["clicked_at"])
        # Enrol again: the phishing module is due (the gate applies at the next request).
        TrainingCompletion.objects.filter(user_id=target.user_id, module="phishing",
                                          expires_at__gt=now).update(expires_at=now)
        audit_record(event=AuditEvent.PHISHING_LINK_CLICKED, actor=target.user,
                     subject_id=target.user.subject_id, object=target.campaign,
                     reason=f"staff {target.user_id}")
    refusal_forget(target.user)
    return target


def phishing_report(*, user: Any, request: Any = None) -> bool:
    """A staff member reports a suspicious email. True if it was a simulation (their
    latest unreported one); else it may be real: an alert for the security officer."""
    with transaction.atomic():
        target = (PhishingTarget.objects.select_for_update()
                  .filter(user_id=user.pk, reported_at=None).order_by("-sent_at").first())
        simulated = target is not None
        if simulated:
            target.reported_at = timezone.now()
            target.save(update_fields=["reported_at"])
        audit_record(event=AuditEvent.PHISHING_REPORTED, actor=user,
                     object=target.campaign if simulated else None,
                     reason="simulation" if simulated else "possibly real", request=request)
        if not simulated:
            alert_raise(kind="people.phishing_reported", source="people", severity="medium",
                        summary=f"staff account {user.pk} reported a suspicious email",
                        detail={"staff_id": str(user.pk)})
    return simulated


def campaign_counts(*, campaign: PhishingCampaign) -> dict[str, int]:
    targets = campaign.targets.all()
    return {"sent": targets.exclude(sent_at=None).count(),
            "clicked": targets.exclude(clicked_at=None).count(),
            "reported": targets.exclude(reported_at=None).count()}

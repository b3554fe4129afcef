"""Phishing simulation (in the manner of GoPhish): what happens after a campaign was sent
(``campaigns.py`` schedules and sends it). Its link is signed per recipient (a tampered,
made-up or expired link is a 404 and records nothing); the landing page explains it was a
test; the first click is counted once and puts the phishing module due again; the
console's "Report phishing" button records reports. No tracking pixels: only the click
and the report are counted, never opens.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.db import transaction
from django.utils import timezone

from strongroom.protection.access.gates import refusal_forget
from strongroom.protection.alerts.services import alert_raise
from strongroom.protection.audit.events import AuditEvent
from strongroom.protection.audit.services import audit_record
from strongroom.protection.people.models import PhishingTarget, TrainingCompletion
from strongroom.protection.people.phishing.campaigns import SALT
from strongroom.protection.people.phishing.throttle import landing_miss, landing_wait

LINK_VALID = dt.timedelta(days=90)  # an old simulation's link no longer counts
REPORT_WINDOW = dt.timedelta(days=14)  # a report older than this is about a real email


@dataclass(frozen=True)
class Landing:
    found: bool
    retry_after: int = 0  # seconds, when the client is throttled


def phishing_landing(*, token: str, ip: str) -> Landing:
    """The landing page for anyone holding a link (no sign-in: the signed link is the
    credential). A throttled client gets the same answer for every link, before any
    lookup; a link that leads nowhere is counted as a miss for the client."""
    wait = landing_wait(ip=ip)
    if wait:
        return Landing(found=False, retry_after=wait)
    if len(token) > 200 or phishing_click(token=token) is None:
        landing_miss(ip=ip)
        return Landing(found=False)
    return Landing(found=True)


def phishing_click(*, token: str) -> PhishingTarget | None:
    """The landing page's click; None for a tampered, unknown or expired link (nothing
    recorded). Only the first click is counted; a second one changes nothing."""
    try:
        target_id = int(signing.loads(token, salt=SALT, max_age=LINK_VALID))
    except (signing.BadSignature, TypeError, ValueError, OverflowError):
        return None
    now = timezone.now()
    with transaction.atomic():
        target = (PhishingTarget.objects.select_for_update().select_related("user")
                  .filter(pk=target_id).exclude(sent_at=None).first())
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
    """A staff member reports a suspicious email. True if it matches a simulation sent to
    them in the last two weeks and not reported yet; else it may be real: an alert for
    the security officer (one open alert per reporter, counted again)."""
    now = timezone.now()
    with transaction.atomic():
        target = (PhishingTarget.objects.select_for_update()
                  .filter(user_id=user.pk, reported_at=None,
                          sent_at__gt=now - REPORT_WINDOW)
                  .order_by("-sent_at").first())
        simulated = target is not None
        if simulated:
            target.reported_at = now
            target.save(update_fields=["reported_at"])
        audit_record(event=AuditEvent.PHISHING_REPORTED, actor=user,
                     object=target.campaign if simulated else None,
                     reason="simulation" if simulated else "possibly real", request=request)
        if not simulated:
            alert_raise(kind="people.phishing_reported", source="people", severity="medium",
                        summary=f"staff account {user.pk} reported a suspicious email",
                        detail={"staff_id": str(user.pk)},
                        dedupe_key=f"people.phishing_reported:{user.pk}")
    return simulated

"""Privacy requests that arrive by email, phone or post, worked in the console queue.

Art. 12(3): answer within one month of receipt; the queue counts down and an overdue
request raises the operator alert ``privacy.request_overdue``. Staff act only on a
request whose requester's identity was verified (an erasure by a social engineer who
merely knows an email address is the attack this stops).
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from strongroom.protection.alerts.services import alert_raise
from strongroom.protection.audit.events import AuditEvent
from strongroom.protection.audit.services import audit_record

from .erasure import customer_erase, new_reference
from .errors import PrivacyError, PrivacyErrorCode
from .models import (
    ErasureReceipt,
    PrivacyRequest,
    RequestKind,
    RequestStatus,
    Verification,
)

CHANNELS = ("email", "phone", "post", "in person")


def one_month_after(at: dt.datetime) -> dt.datetime:
    """The same day next month (or that month's last day): Art. 12(3)'s "one month"."""
    year, month = (at.year + 1, 1) if at.month == 12 else (at.year, at.month + 1)
    day = min(at.day, calendar.monthrange(year, month)[1])
    return at.replace(year=year, month=month, day=day)


def customer_by_email(email: str) -> Any:
    """The customer account with this email (found by its blind index), or NOT_FOUND."""
    try:
        user = get_user_model().objects.get_by_natural_key((email or "").strip())
    except get_user_model().DoesNotExist:
        user = None
    if user is None or user.is_staff:
        raise PrivacyError("No customer account has that email address (an erased "
                           "customer can no longer be found by it).",
                           code=PrivacyErrorCode.NOT_FOUND)
    return user


def request_open(*, by: Any, kind: str, channel: str, email: str,
                 now: dt.datetime | None = None) -> PrivacyRequest:
    """Enter a request received outside the store. Caller checked ``privacy.requests``."""
    if kind not in RequestKind.values or channel not in CHANNELS:
        raise PrivacyError("Choose the kind of request and how it arrived.",
                           code=PrivacyErrorCode.BAD_INPUT)
    user = customer_by_email(email)
    now = now or timezone.now()
    with transaction.atomic():
        request = PrivacyRequest.objects.create(
            reference=new_reference(), kind=kind, channel=channel, user=user,
            subject_id=user.subject_id, received_at=now, due_at=one_month_after(now))
        event = (AuditEvent.ERASURE_REQUESTED if kind == RequestKind.ERASURE
                 else AuditEvent.PRIVACY_REQUEST_OPENED)
        audit_record(event=event, actor=by, subject_id=user.subject_id, object=request,
                     reason=f"{kind} by {channel}")
    return request


def _update(request: PrivacyRequest, by: Any, reason: str, **changes: Any) -> PrivacyRequest:
    with transaction.atomic():
        PrivacyRequest.objects.filter(pk=request.pk).update(**changes)
        audit_record(event=AuditEvent.PRIVACY_REQUEST_UPDATED, actor=by,
                     subject_id=request.subject_id, object=request, reason=reason)
    request.refresh_from_db()
    return request


def request_verify(*, by: Any, request: PrivacyRequest, verified: bool) -> PrivacyRequest:
    status = Verification.VERIFIED if verified else Verification.FAILED
    return _update(request, by, f"identity {status}", verification=status, verified_by=by)


def request_assign(*, by: Any, request: PrivacyRequest, assignee: Any) -> PrivacyRequest:
    return _update(request, by, "assigned", assignee=assignee)


def request_close(*, by: Any, request: PrivacyRequest, outcome: str,
                  refused: bool = False) -> PrivacyRequest:
    if request.status in (RequestStatus.DONE, RequestStatus.REFUSED):
        raise PrivacyError("This request is already closed.", code=PrivacyErrorCode.BAD_INPUT)
    with transaction.atomic():
        PrivacyRequest.objects.filter(pk=request.pk).update(
            status=RequestStatus.REFUSED if refused else RequestStatus.DONE,
            closed_at=timezone.now(), outcome=outcome.strip()[:200])
        audit_record(event=AuditEvent.PRIVACY_REQUEST_CLOSED, actor=by,
                     subject_id=request.subject_id, object=request,
                     reason="refused" if refused else "done")
    request.refresh_from_db()
    return request


def request_erase(*, by: Any, request: PrivacyRequest) -> ErasureReceipt:
    """Erase the requester. Caller checked ``privacy.erase`` (and audited a refusal)."""
    problem = None
    if request.kind != RequestKind.ERASURE:
        problem = "This is not an erasure request."
    elif request.status not in (RequestStatus.OPEN, RequestStatus.SCHEDULED):
        problem = "This request is closed."
    elif request.verification != Verification.VERIFIED:
        problem = "Verify the requester's identity first."
    elif request.user is None:
        problem = "This request names no account."
    if problem:
        with transaction.atomic():
            audit_record(event=AuditEvent.ERASURE_REFUSED, actor=by,
                         subject_id=request.subject_id, object=request, reason=problem)
        raise PrivacyError(problem, code=PrivacyErrorCode.NOT_VERIFIED)
    return customer_erase(user=request.user, request_ref=request.reference, by=by)


def erasure_refused(*, by: Any, request: PrivacyRequest, reason: str) -> None:
    """Record a refused attempt (no permission) in the audit log."""
    with transaction.atomic():
        audit_record(event=AuditEvent.ERASURE_REFUSED, actor=by, subject_id=request.subject_id,
                     object=request, reason=reason)


def requests_overdue_alert(*, now: dt.datetime | None = None) -> int:
    """Raise ``privacy.request_overdue`` for each open request past its deadline (one
    open alert per request: deduplicated). Returns how many are overdue."""
    now = now or timezone.now()
    overdue = PrivacyRequest.objects.filter(
        status__in=[RequestStatus.OPEN, RequestStatus.SCHEDULED], due_at__lt=now)
    count = 0
    for request in overdue:
        count += 1
        alert_raise(kind="privacy.request_overdue", source="privacy", severity="high",
                    summary=f"Privacy request {request.reference} ({request.kind}) is past "
                            "its one-month deadline",
                    detail={"reference": request.reference, "kind": request.kind,
                            "due_at": request.due_at.isoformat()},
                    dedupe_key=f"privacy.request_overdue:{request.reference}")
    return count

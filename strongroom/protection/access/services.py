"""Access writes: recording staff views and reveals of customer data, marketing consent.

Staff management (invite, role change, disable, idle accounts) is in ``staff.py``.
Every function records its audit event in the same transaction as its change. None
checks authorization: the console view (``interfaces.console.permissions``) has decided
the viewer may see the object, and for a reveal that the fields are revealable to the
viewer's role and that the viewer passed a recent MFA check.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.http import HttpRequest
from django.utils import timezone

from strongroom.protection.access import ratelimit
from strongroom.protection.access.errors import (
    AccessError,
    RevealRateLimited,
    RevealsFrozen,
    TrainingRequired,
)
from strongroom.protection.access.gates import data_access_refusal
from strongroom.protection.access.models import MarketingConsent, RevealFreeze
from strongroom.protection.access.roles import FieldGroup
from strongroom.protection.access.selectors import fields_of, reveals_frozen
from strongroom.protection.alerts.models import Severity
from strongroom.protection.alerts.services import alert_raise
from strongroom.protection.audit.events import Actor, AuditEvent
from strongroom.protection.audit.services import audit_record

logger = logging.getLogger("strongroom.access")

# Why a field was revealed. Codes, not free text, so the audit log holds no personal
# data typed by staff; an optional ticket number links to the support system.
REVEAL_REASONS: dict[str, str] = {
    "customer_request": "The customer asked for help",
    "delivery_problem": "A delivery problem",
    "payment_problem": "A payment or refund problem",
    "fraud_check": "A fraud check",
    "legal_request": "A legal or regulatory request",
}
TICKET = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._#-]{0,39}$")


def reason_text(*, code: str, ticket: str = "") -> str:
    if code not in REVEAL_REASONS:
        raise AccessError("Choose a reason for revealing.", field="reason")
    if ticket and not TICKET.match(ticket):
        raise AccessError("A ticket number is letters, digits, dots, dashes and #.",
                          field="ticket")
    return f"{code} ticket {ticket}" if ticket else code


def reason_label(reason: str) -> str:
    """The reader's version of a stored reason ("customer_request ticket T-1")."""
    code, _, rest = reason.partition(" ")
    label = REVEAL_REASONS.get(code)
    if label is None:
        return reason
    return f"{label} ({rest})" if rest else label


def view_record(*, viewer: Any, event: AuditEvent, rows: Iterable[tuple[Any, Model, list[str]]],
                request: HttpRequest | None = None) -> None:
    """One CUSTOMER_VIEWED/ORDER_VIEWED event per (subject_id, object, clear fields) row a
    staff page showed, all in one transaction."""
    with transaction.atomic():
        for subject_id, obj, fields in rows:
            audit_record(event=event, actor=viewer, subject_id=subject_id, object=obj,
                         fields=fields, request=request)


def field_reveal(*, viewer: Any, subject_id: Any, obj: Model, groups: Iterable[FieldGroup],
                 reason: str, request: HttpRequest | None = None) -> list[str]:
    """Record that ``viewer`` revealed ``groups`` of ``obj`` (FIELD_REVEALED), unless a
    gate refuses the viewer customer data (TrainingRequired, TRAINING_GATE_REFUSED
    recorded) or the viewer is over the reveal rate limit: then RevealRateLimited is
    raised, and the first refusal in a window records REVEAL_RATE_LIMITED and logs a
    warning (the alert). The reveal that brings the window's count to the mass-access
    threshold raises the ``access.mass_reveal`` alert in its own transaction. Returns the
    revealed field names."""
    names = fields_of(groups)
    if reveals_frozen():  # incident containment: nobody reveals until it is lifted
        raise RevealsFrozen("Reveals are frozen store-wide while an incident is contained. "
                            "The owner or security officer can lift the freeze.")
    if not names or not reason:
        raise AccessError("Choose what to reveal and why.")
    # The one check every reveal passes (console page, API, export, command): a staff
    # member a gate refuses (training not current) sees masked data only.
    refusal = data_access_refusal(viewer)
    if refusal is not None:
        with transaction.atomic():
            audit_record(event=AuditEvent.TRAINING_GATE_REFUSED, actor=viewer,
                         subject_id=subject_id, object=obj, fields=names,
                         reason=f"{refusal.gate}: {' '.join(refusal.names)}".strip(),
                         request=request)
        raise TrainingRequired(refusal.message)
    verdict = ratelimit.reveal_take(staff_id=str(viewer.pk))
    if not verdict.allowed:
        if verdict.first_refusal:
            with transaction.atomic():
                audit_record(event=AuditEvent.REVEAL_RATE_LIMITED, actor=viewer,
                             subject_id=subject_id, object=obj, fields=names,
                             reason=f"more than {verdict.limit} reveals in the window",
                             request=request)
                # The staff member is told the security team was alerted: make it true.
                # No customer in the alert: the audit event above says whose data.
                alert_raise(kind="access.reveal_limit", source="access",
                            severity=Severity.HIGH,
                            summary=f"staff account {viewer.pk} passed the reveal limit "
                                    f"({verdict.limit} reveals in the window); further "
                                    "reveals are refused until older ones leave it",
                            detail={"staff_id": str(viewer.pk), "limit": verdict.limit},
                            dedupe_key=f"access.reveal_limit:{viewer.pk}")
            logger.warning("reveal rate limit hit: staff %s made %d reveal attempts "
                           "(limit %d); further reveals refused", viewer.pk, verdict.count,
                           verdict.limit)
        raise RevealRateLimited(
            "You have revealed a lot of customer data in a short time, so reveals are "
            "paused for you for a while. The security team has been alerted.")
    with transaction.atomic():
        audit_record(event=AuditEvent.FIELD_REVEALED, actor=viewer, subject_id=subject_id,
                     object=obj, fields=names, reason=reason, request=request)
        if verdict.mass_access:
            _mass_access_alert(viewer=viewer, count=verdict.count, limit=verdict.limit)
    return names


def _mass_access_alert(*, viewer: Any, count: int, limit: int) -> None:
    """The alert for a staff account whose reveals in the window reached the threshold:
    a whole window's allowance used is a download, even if it stops at the limit. No
    customer in the alert: the FIELD_REVEALED events say whose data (the breach scope)."""
    alert_raise(kind="access.mass_reveal", source="access", severity=Severity.HIGH,
                summary=f"staff account {viewer.pk} revealed customer data {count} times in "
                        f"the window (mass access; reveals stop after {limit})",
                detail={"staff_id": str(viewer.pk), "reveals": count, "limit": limit},
                dedupe_key=f"access.mass_reveal:{viewer.pk}")
    logger.warning("mass access: staff %s made %d reveals in the window (limit %d)",
                   viewer.pk, count, limit)


def reveals_freeze_set(*, frozen: bool, by: Any, reason: str = "") -> bool:
    """Freeze (or lift the freeze on) every reveal and operator export, store-wide. The
    caller checked ``by`` may (incident containment: owner or security officer with a
    recent second factor) and records its own audit event in this transaction.
    False if nothing changed."""
    with transaction.atomic():
        row, _ = RevealFreeze.objects.select_for_update().get_or_create(pk=1)
        if row.frozen == frozen:
            return False
        row.frozen, row.changed_at = frozen, timezone.now()
        row.changed_by = by if getattr(by, "pk", None) else None
        row.save()
    return True


def marketing_consent_set(*, user: Any, agreed: bool, source: str,
                          request: HttpRequest | None = None) -> MarketingConsent:
    """The customer's own answer; records CONSENT_GIVEN/CONSENT_WITHDRAWN when it
    changes (a repeated answer changes nothing and records nothing)."""
    with transaction.atomic():
        consent, created = MarketingConsent.objects.select_for_update().get_or_create(
            user_id=user.pk, defaults={"agreed": agreed, "source": source})
        if not created and consent.agreed == agreed:
            return consent
        if not created:
            consent.agreed, consent.source = agreed, source
            consent.changed_at = timezone.now()
            consent.save(update_fields=["agreed", "source", "changed_at"])
        elif not agreed:
            return consent  # never agreed, still not: nothing happened
        audit_record(event=AuditEvent.CONSENT_GIVEN if agreed else AuditEvent.CONSENT_WITHDRAWN,
                     actor=Actor.of_user(user), subject_id=user.subject_id, object=consent,
                     fields=["marketing"], reason=source, request=request)
    return consent

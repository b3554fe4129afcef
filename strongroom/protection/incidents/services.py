"""Incident writes: open (by hand or from an alert), move through the lifecycle, set
roles, add notes, record the breach scope. Each writes its audit event in the same
transaction and a line on the timeline.

Callers (console views, commands) have checked the actor holds ``incidents.manage``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from strongroom.protection.alerts.selectors import alert_get
from strongroom.protection.audit.events import AuditEvent
from strongroom.protection.audit.services import audit_record
from strongroom.protection.posture.models import Risk

from . import scope as scopelib
from .canaries import canary_subject_ids
from .errors import IncidentError
from .models import (
    NEXT_STATUS,
    EntryKind,
    Incident,
    Kind,
    RiskLink,
    ScopeEntry,
    Severity,
    Status,
    TimelineEntry,
)

# Which incident type an alert most likely starts (the operator can change it).
ALERT_KINDS: dict[str, str] = {
    "signin.": Kind.ACCOUNT_TAKEOVER, "accounts.": Kind.ACCOUNT_TAKEOVER,
    "access.": Kind.DATA_BREACH, "audit.": Kind.DATA_BREACH, "payments.": Kind.CARD_SKIMMING,
    "backups.": Kind.RANSOMWARE, "posture.": Kind.VENDOR_BREACH,
}


def timeline_write(*, incident: Incident, kind: str, text: str, by: Any = None,
                   at: dt.datetime | None = None) -> TimelineEntry:
    return TimelineEntry.objects.create(incident=incident, kind=kind, text=text[:5000],
                                        by=by if getattr(by, "pk", None) else None,
                                        at=at or timezone.now())


def incident_open(*, title: str, kind: str, severity: str, by: Any,
                  became_aware_at: dt.datetime | None = None, alert_id: int | None = None,
                  actor_id: str = "", request: Any = None, exercise: bool = False) -> Incident:
    title = " ".join(title.split())
    if not title:
        raise IncidentError("Give the incident a short title.")
    if kind not in Kind.values or severity not in Severity.values:
        raise IncidentError("Choose the incident's type and severity from the lists.")
    now = timezone.now()
    aware = became_aware_at or now
    if aware > now + dt.timedelta(minutes=5):
        raise IncidentError("The time the store became aware cannot be in the future.")
    with transaction.atomic():
        # The number is the next in sequence; the unique constraint refuses a race.
        number = (Incident.objects.select_for_update().aggregate(n=Max("number"))["n"] or 0) + 1
        incident = Incident.objects.create(
            number=number, title=title[:200], kind=kind, severity=severity,
            became_aware_at=aware, alert_id=alert_id, actor_id=actor_id[:64], exercise=exercise,
            lead=by if getattr(by, "pk", None) else None)
        audit_record(event=AuditEvent.INCIDENT_OPENED, actor=by, object=incident,
                     reason=f"{kind}, {severity}"
                            + (f", from alert {alert_id}" if alert_id else "")
                            + (", tabletop exercise" if exercise else ""),
                     request=request)
        timeline_write(incident=incident, kind=EntryKind.STATUS, by=by,
                       text="Incident opened" + (f" from alert #{alert_id}" if alert_id else "")
                            + f"; became aware {aware:%Y-%m-%d %H:%M} UTC.")
    return incident


def incident_open_from_alert(*, alert_id: int, by: Any, request: Any = None) -> Incident:
    """One click from an alert: its kind picks the type, its severity the severity, its
    first sighting is when the store became aware, and a staff account it names is the
    actor whose audit events the timeline follows."""
    alert = alert_get(alert_id=alert_id)
    if alert is None:
        raise IncidentError("No alert with that number.")
    existing = Incident.objects.filter(alert_id=alert.pk).first()
    if existing is not None:
        return existing  # a second click opens the same incident, not a duplicate
    kind = next((k for prefix, k in ALERT_KINDS.items() if alert.kind.startswith(prefix)),
                Kind.DATA_BREACH)
    actor = alert.detail.get("staff_id", "") if isinstance(alert.detail, dict) else ""
    return incident_open(title=alert.summary[:200], kind=kind, severity=alert.severity,
                         by=by, became_aware_at=alert.first_seen, alert_id=alert.pk,
                         actor_id=str(actor or ""), request=request)


def incident_advance(*, incident: Incident, by: Any, request: Any = None) -> Incident:
    """Move to the next lifecycle status (detected → triaged → ... → closed → reviewed)."""
    new = NEXT_STATUS.get(incident.status)
    if new is None:
        raise IncidentError("This incident has finished its lifecycle.")
    if new == Status.REVIEWED and not incident.review_cause.strip():
        raise IncidentError("Write the post-incident review (at least the cause) first.")
    with transaction.atomic():
        old = incident.status
        incident.status = new
        if new == Status.CLOSED:
            incident.closed_at = timezone.now()
        incident.save(update_fields=["status", "closed_at"])
        audit_record(event=AuditEvent.INCIDENT_UPDATED, actor=by, object=incident,
                     reason=f"status {old} -> {new}", request=request)
        timeline_write(incident=incident, kind=EntryKind.STATUS, by=by,
                       text=f"Status: {Status(old).label} → {Status(new).label}.")
    return incident


def incident_roles_set(*, incident: Incident, by: Any, lead: Any, communications: Any,
                       technical: Any, request: Any = None) -> None:
    for who in (lead, communications, technical):
        if who is not None and not (who.is_staff and who.is_active):
            raise IncidentError("Incident roles go to active staff accounts.")
    with transaction.atomic():
        incident.lead, incident.communications, incident.technical = lead, communications, technical
        incident.save(update_fields=["lead", "communications", "technical"])
        ids = ", ".join(f"{r} {getattr(u, 'pk', '-')}" for r, u in
                        (("lead", lead), ("communications", communications),
                         ("technical", technical)))
        audit_record(event=AuditEvent.INCIDENT_UPDATED, actor=by, object=incident,
                     reason=f"roles: {ids}"[:500], request=request)
        timeline_write(incident=incident, kind=EntryKind.STATUS, by=by, text=f"Roles set: {ids}.")


def incident_note_add(*, incident: Incident, by: Any, text: str, request: Any = None) -> None:
    text = text.strip()
    if not text:
        raise IncidentError("Write the note first.")
    with transaction.atomic():
        timeline_write(incident=incident, kind=EntryKind.NOTE, by=by, text=text)
        audit_record(event=AuditEvent.INCIDENT_NOTE_ADDED, actor=by, object=incident,
                     request=request)


def incident_review_set(*, incident: Incident, by: Any, cause: str, lessons: str,
                        follow_ups: str, risks: str | None = None, request: Any = None) -> None:
    """The review's text and (when ``risks`` is given) its links to the risk register,
    all or nothing."""
    if incident.status not in (Status.CLOSED, Status.REVIEWED) and not cause.strip():
        raise IncidentError("Write at least the cause.")
    with transaction.atomic():
        incident.review_cause, incident.review_lessons = cause.strip(), lessons.strip()
        incident.review_follow_ups = follow_ups.strip()
        incident.save(update_fields=["review_cause", "review_lessons", "review_follow_ups"])
        audit_record(event=AuditEvent.INCIDENT_UPDATED, actor=by, object=incident,
                     reason="post-incident review written", request=request)
        timeline_write(incident=incident, kind=EntryKind.NOTE, by=by,
                       text="Post-incident review updated.")
        if risks is not None:
            incident_risks_link(incident=incident, by=by, codes=risks, request=request)


def incident_risks_link(*, incident: Incident, by: Any, codes: str,
                        request: Any = None) -> list[str]:
    """Link the review to the register's risks named by code ("T3, R-12"), replacing the
    earlier links. Unknown codes are refused, naming them."""
    wanted = list(dict.fromkeys(c.strip().upper() for c in codes.replace(";", ",").split(",")
                                if c.strip()))
    risks = {r.code.upper(): r for r in Risk.objects.filter(code__in=wanted)} if wanted else {}
    unknown = [c for c in wanted if c not in risks]
    if unknown:
        raise IncidentError(f"No risk in the register with the code {', '.join(unknown)[:200]}.")
    before = sorted(incident.risk_links.values_list("risk__code", flat=True))
    if sorted(risks) == before:
        return before
    with transaction.atomic():
        incident.risk_links.all().delete()
        RiskLink.objects.bulk_create([RiskLink(incident=incident, risk=risks[c]) for c in wanted])
        listed = ", ".join(wanted) or "none"
        audit_record(event=AuditEvent.INCIDENT_UPDATED, actor=by, object=incident,
                     reason=f"risks linked: {listed}"[:500], request=request)
        timeline_write(incident=incident, kind=EntryKind.NOTE, by=by,
                       text=f"Review linked to risks: {listed}.")
    return wanted


def incident_scope_record(*, incident: Incident, by: Any, query: scopelib.ScopeQuery,
                          request: Any = None) -> list[scopelib.Affected]:
    """Run the breach-scope query and keep its answer on the incident (replacing an
    earlier one for the same incident; the timeline keeps every query asked). Canary
    records seen are counted on the timeline but kept out of the scope: they are nobody
    to notify and no data subject to report."""
    found = scopelib.scope_query(query=query)
    canaries = canary_subject_ids()
    affected = [a for a in found if a.subject_id not in canaries]
    fake = len(found) - len(affected)
    with transaction.atomic():
        ScopeEntry.objects.filter(incident=incident).delete()
        ScopeEntry.objects.bulk_create([
            ScopeEntry(incident=incident, subject_id=a.subject_id, events=a.events,
                       categories=",".join(a.categories)[:500], first_at=a.first_at,
                       last_at=a.last_at) for a in affected])
        if query.kind in ("actor", "token") and not incident.actor_id:
            incident.actor_id = scopelib.actor_id_resolve(kind=query.kind, value=query.value)
            incident.save(update_fields=["actor_id"])
        what = f"{query.kind} from {query.since:%Y-%m-%d %H:%M} to {query.until:%Y-%m-%d %H:%M} UTC"
        audit_record(event=AuditEvent.INCIDENT_SCOPE_RECORDED, actor=by, object=incident,
                     reason=f"{what}: {len(affected)} data subjects", request=request)
        timeline_write(incident=incident, kind=EntryKind.SCOPE, by=by,
                       text=f"Breach scope ({what}): {len(affected)} customers affected"
                            + (f"; {fake} canary records touched too." if fake else "."))
    return affected

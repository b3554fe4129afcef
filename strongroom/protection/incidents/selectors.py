"""Incident reads: lists, one incident, its timeline (manual lines merged with the
related audit events, collected on read), and the open incident whose 72-hour clock
every console page shows. No authorization here: the console views check it."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from strongroom.protection.audit.events import Domain
from strongroom.protection.audit.models import AuditEntry
from strongroom.protection.audit.selectors import audit_search

from .models import OPEN_STATUSES, Incident

TIMELINE_AUDIT_LIMIT = 500
LOOKBACK = dt.timedelta(days=7)  # the actor's events before the store became aware


def incidents_list() -> QuerySet[Incident]:
    return Incident.objects.all()


def incidents_open() -> QuerySet[Incident]:
    """Real incidents still open (exercises start no regulator clock)."""
    return Incident.objects.filter(status__in=OPEN_STATUSES, exercise=False).order_by(
        "became_aware_at")


@dataclass(frozen=True)
class ExerciseStep:
    what: str
    minutes: float  # since the incident was opened


def exercise_report(*, incident: Incident) -> list[ExerciseStep]:
    """How long the team took from opening the incident to each status change and each
    containment action (rehearsed or real): the times a tabletop exercise measures."""
    start = incident.created_at
    return [ExerciseStep(e.text, round((e.at - start).total_seconds() / 60, 1))
            for e in incident.entries.filter(kind__in=["status", "containment", "playbook"])
            .order_by("at", "id")]


def incident_get(*, incident_id: object) -> Incident | None:
    try:
        pk = uuid.UUID(str(incident_id))
    except ValueError:
        return None
    return Incident.objects.filter(pk=pk).first()


@dataclass(frozen=True)
class TimelineLine:
    at: dt.datetime
    kind: str
    text: str
    by: str
    audit: AuditEntry | None = None


def incident_timeline(*, incident: Incident) -> list[TimelineLine]:
    """Manual and service lines, plus the audit events about the incident itself and
    (when an actor is known) that actor's events from a week before the store became
    aware until the incident closed, oldest first."""
    lines = [TimelineLine(e.at, e.get_kind_display(), e.text, str(e.by_id or "system"))
             for e in incident.entries.all()]
    until = incident.closed_at or timezone.now() + dt.timedelta(seconds=1)
    if incident.actor_id:
        for entry in audit_search(actor_id=incident.actor_id,
                                  since=incident.became_aware_at - LOOKBACK,
                                  until=until)[:TIMELINE_AUDIT_LIMIT]:
            lines.append(TimelineLine(entry.occurred_at, "Audit", entry.event_label,
                                      f"actor {entry.actor_id}", entry))
    for entry in audit_search(events=Domain.INCIDENTS, since=incident.created_at,
                              until=until).filter(object_id=str(incident.pk))[:TIMELINE_AUDIT_LIMIT]:
        lines.append(TimelineLine(entry.occurred_at, "Audit", entry.event_label,
                                  f"actor {entry.actor_id}", entry))
    return sorted(lines, key=lambda line: line.at)

"""Playbooks per incident type: Markdown checklists shipped with the app
(``playbooks/<kind>.md``, after NIST SP 800-61r2 and PCI DSS 12.10.1), which the owner
or security officer may edit for the store (kept in ``Playbook``). During an incident
each ``- [ ] step`` is ticked on the timeline.

Callers have checked ``incidents.manage``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction

from strongroom.protection.audit.events import AuditEvent
from strongroom.protection.audit.services import audit_record

from .errors import IncidentError
from .models import EntryKind, Incident, Kind, Playbook, PlaybookTick
from .services import timeline_write

SHIPPED = Path(__file__).parent / "playbooks"
_STEP = re.compile(r"^\s*[-*]\s+\[[ xX]\]\s+(.+?)\s*$")


def playbook_text(*, kind: str) -> str:
    own = Playbook.objects.filter(kind=kind).values_list("text", flat=True).first()
    if own is not None:
        return own
    if kind not in Kind.values:
        raise IncidentError("Unknown incident type.")
    return (SHIPPED / f"{kind}.md").read_text(encoding="utf-8")


def playbook_steps(*, kind: str) -> list[str]:
    return [m.group(1)[:500] for line in playbook_text(kind=kind).splitlines()
            if (m := _STEP.match(line))]


def playbook_edit(*, kind: str, text: str, by: Any, request: Any = None) -> None:
    if kind not in Kind.values:
        raise IncidentError("Unknown incident type.")
    if not any(_STEP.match(line) for line in text.splitlines()):
        raise IncidentError("A playbook needs at least one step written as '- [ ] step'.")
    with transaction.atomic():
        Playbook.objects.update_or_create(kind=kind, defaults={"text": text.strip() + "\n"})
        audit_record(event=AuditEvent.PLAYBOOK_EDITED, actor=by,
                     object=("incidents.playbook", kind), reason=kind, request=request)


def playbook_tick(*, incident: Incident, step: str, by: Any, request: Any = None) -> bool:
    """Tick a step of the incident type's playbook; False if it was already ticked."""
    if step not in playbook_steps(kind=incident.kind):
        raise IncidentError("That step is not in this incident's playbook.")
    try:
        with transaction.atomic():
            PlaybookTick.objects.create(incident=incident, step=step,
                                        by=by if getattr(by, "pk", None) else None)
            audit_record(event=AuditEvent.PLAYBOOK_STEP_DONE, actor=by, object=incident,
                         reason=step, request=request)
            timeline_write(incident=incident, kind=EntryKind.PLAYBOOK, by=by,
                           text=f"Playbook step done: {step}")
    except IntegrityError:
        return False
    return True


def playbook_checklist(*, incident: Incident) -> list[tuple[str, bool]]:
    done = set(incident.ticks.values_list("step", flat=True))
    return [(step, step in done) for step in playbook_steps(kind=incident.kind)]

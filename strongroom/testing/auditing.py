"""Asserting the exact sequence of audit events an action writes (Zulip style):

    mark = audit_mark()
    do_something()
    assert audit_events_since(mark) == [AuditEvent.A, AuditEvent.B]
"""

from __future__ import annotations

from strongroom.protection.audit.events import AuditEvent
from strongroom.protection.audit.models import AuditEntry


def audit_mark() -> int:
    last = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first()
    return last or 0


def audit_entries_since(mark: int) -> list[AuditEntry]:
    """Events appended after ``mark``, in the order they were written (the id is global
    across the 16 chains)."""
    return list(AuditEntry.objects.filter(id__gt=mark).order_by("id"))


def audit_events_since(mark: int) -> list[AuditEvent]:
    return [AuditEvent(e.event) for e in audit_entries_since(mark)]

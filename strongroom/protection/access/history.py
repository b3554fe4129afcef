"""Audit events as people read them: "who looked at this customer's data, and why"
(console customer page, the customer's own privacy page) and the audit search page.

Staff names are shown to staff only; a customer sees the role ("a support agent"), the
reason and what was seen, which is what the right of access asks for.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from strongroom.protection.access.selectors import staff_by_id, staff_roles_by_id
from strongroom.protection.access.services import reason_label
from strongroom.protection.audit.events import ActorType, AuditEvent

FIELD_WORDS = {
    "email": "email address", "full_name": "name", "phone": "phone number",
    "line1": "address", "line2": "address", "city": "address", "postal_code": "address",
    "country": "country", "status": "order status", "role": "role",
    "marketing": "marketing consent",
}
WHAT = {
    AuditEvent.CUSTOMER_VIEWED: "viewed the account",
    AuditEvent.ORDER_VIEWED: "viewed an order",
    AuditEvent.FIELD_REVEALED: "revealed",
    AuditEvent.ORDER_STATUS_CHANGED: "changed an order's status",
    AuditEvent.ORDER_REFUNDED: "refunded an order",
    AuditEvent.DATA_ACCESS_REQUESTED: "exported the data",
    AuditEvent.EXPORT_CREATED: "exported the data",
    AuditEvent.EXPORT_DOWNLOADED: "downloaded an export",
}


@dataclass(frozen=True)
class HistoryRow:
    at: dt.datetime
    event: int
    what: str
    actor_type: int
    actor_id: str
    who: str  # a staff name (staff readers) or a role description (customers)
    role: str
    fields: str  # "email address, phone number"
    reason: str
    subject_id: str
    object_type: str
    object_id: str
    count: int = 1  # grouped rows (the customer's page): how many times that day
    first_at: dt.datetime | None = None  # grouped rows: the first of them


def fields_words(names: Sequence[str]) -> str:
    words: list[str] = []
    for name in names:
        word = FIELD_WORDS.get(name.rpartition(".")[2], name)
        if word not in words:
            words.append(word)
    return ", ".join(words)


def history_rows(entries: Iterable[Any], *, names: bool) -> list[HistoryRow]:
    """``names``: show staff members' names (for staff readers) or only their role."""
    entries = list(entries)
    staff_ids = [e.actor_id for e in entries if e.actor_type == ActorType.STAFF]
    roles = staff_roles_by_id(user_ids=staff_ids)
    people = staff_by_id(user_ids=staff_ids) if names else {}
    if people:
        from strongroom.protection.vault.selectors import keys_preload

        keys_preload(subject_ids={u.subject_id for u in people.values()})
    rows = []
    for e in entries:
        role = roles.get(e.actor_id)
        role_text = role.label if role else ""
        if e.actor_type == ActorType.STAFF:
            who = (str(people[e.actor_id].full_name or "Staff member")
                   if e.actor_id in people else f"{role_text or 'A'} staff member".strip())
        elif e.actor_type == ActorType.SYSTEM:
            who = "The store (automatic)"
        elif e.actor_type == ActorType.API_CLIENT:
            who = "An API client"
        elif e.actor_type == ActorType.CUSTOMER:
            who = "Customer" if names else "You"
        else:
            who = "A visitor"
        try:
            what = WHAT.get(AuditEvent(e.event)) or AuditEvent(e.event).label
        except ValueError:
            what = f"event {e.event}"
        rows.append(HistoryRow(
            at=e.occurred_at, event=e.event, what=what, actor_type=e.actor_type,
            actor_id=e.actor_id, who=who, role=role_text, fields=fields_words(e.field_list),
            reason=reason_label(e.reason) if e.reason else "", subject_id=e.subject_id,
            object_type=e.object_type, object_id=e.object_id,
            count=getattr(e, "count", 1), first_at=getattr(e, "first_at", None)))
    return rows

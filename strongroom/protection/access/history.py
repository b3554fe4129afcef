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
from strongroom.protection.vault.selectors import keys_preload

FIELD_WORDS = {
    "email": "email address", "full_name": "name", "phone": "phone number",
    "line1": "address", "line2": "address", "city": "address", "postal_code": "address",
    "country": "country", "status": "order status", "role": "role",
    "marketing": "marketing consent", "recovery_codes": "recovery codes",
    "totp": "authenticator app", "webauthn": "passkey", "password": "password",
}
# Internal words shown to people: acronyms in capitals, model names in plain words.
ACRONYMS = {"mfa": "MFA", "totp": "TOTP", "api": "API", "csp": "CSP", "kek": "KEK",
            "url": "URL", "ip": "IP", "id": "ID", "webauthn": "WebAuthn", "sso": "SSO"}
OBJECT_WORDS = {
    "accounts.totpdevice": "authenticator app", "accounts.webauthncredential": "passkey",
    "accounts.recoverycode": "recovery codes", "accounts.user": "account",
    "accounts.apitoken": "API token", "orders.order": "order",
}


def words_human(text: str) -> str:
    """``"mfa enrolled"`` -> ``"MFA enrolled"``; underscores become spaces."""
    return " ".join(ACRONYMS.get(w.lower(), w) for w in text.replace("_", " ").split())


def event_words(event: AuditEvent) -> str:
    """An event as a sentence fragment: ``MFA_ENROLLED`` -> ``"MFA enrolled"``."""
    text = words_human(event.name.lower())
    return text[:1].upper() + text[1:]


def object_words(object_type: str) -> str:
    """``"orders.order"`` -> ``"order"``: the model's own name, never its label."""
    if not object_type:
        return ""
    if object_type in OBJECT_WORDS:
        return OBJECT_WORDS[object_type]
    from django.apps import apps  # at call time: history is imported while apps load

    try:
        name = str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        name = object_type.rpartition(".")[2]
    return words_human(name)
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

    @property
    def object_label(self) -> str:
        return object_words(self.object_type)


def fields_words(names: Sequence[str]) -> str:
    words: list[str] = []
    for name in names:
        base = name.rpartition(".")[2]
        word = FIELD_WORDS.get(base) or words_human(base)
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
            what = WHAT.get(AuditEvent(e.event)) or event_words(AuditEvent(e.event))
        except ValueError:
            what = f"event {e.event}"
        rows.append(HistoryRow(
            at=e.occurred_at, event=e.event, what=what, actor_type=e.actor_type,
            actor_id=e.actor_id, who=who, role=role_text, fields=fields_words(e.field_list),
            reason=reason_label(e.reason) if e.reason else "", subject_id=e.subject_id,
            object_type=e.object_type, object_id=e.object_id,
            count=getattr(e, "count", 1), first_at=getattr(e, "first_at", None)))
    return rows

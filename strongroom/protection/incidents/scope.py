"""Breach scope: whose data did one actor (a staff account, an API token, or whatever
came from one address) see, reveal or export between T1 and T2?

Answered from the audit log alone (the record of every read of personal data), one
GROUP BY subject over the events "this actor saw this subject's data"
(``DATA_SEEN_EVENTS``). For an actor it is ``audit_subjects_seen_by``, which the
``audit_event_actor_at`` index (actor_id, at_us) makes a range scan of that actor's
events in the window: the cost follows what the actor did, not the size of the log.
An address is stored encrypted (``AuditOrigin``), so the origins used in the window are
decrypted once each and the events from matching origins grouped the same way.

The data categories come from the privacy inventory: each event names the model and
the fields it showed, and the inventory says which category each field is.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Count, Max, Min

from strongroom.protection.accounts.models import ApiToken
from strongroom.protection.audit.events import DATA_SEEN_EVENTS
from strongroom.protection.audit.models import AuditEntry, AuditOrigin
from strongroom.protection.audit.selectors import audit_subjects_seen_by, micros
from strongroom.protection.privacy.selectors import inventory

from .errors import ScopeError


@dataclass(frozen=True)
class Affected:
    subject_id: uuid.UUID
    events: int
    first_at: dt.datetime
    last_at: dt.datetime
    categories: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class ScopeQuery:
    kind: str  # "actor" | "ip" | "token"
    value: str
    since: dt.datetime
    until: dt.datetime

    def describe(self) -> str:
        return (f"{self.kind} {self.value} from {self.since.isoformat()} "
                f"to {self.until.isoformat()}")


def _at(us: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(us / 1_000_000, tz=dt.UTC)


def actor_id_resolve(*, kind: str, value: str) -> str:
    """The audit actor id behind a staff email or an API token id; ScopeError if the
    store has no such actor (a typo must not look like "nobody was affected")."""
    value = value.strip()
    if kind == "actor":
        try:  # the email is encrypted: the manager finds it through its blind index
            user = get_user_model().objects.get_by_natural_key(value)
        except get_user_model().DoesNotExist:
            raise ScopeError(f"no account with the email {value!r}") from None
        return str(user.pk)
    if kind == "token":
        try:
            token_id = uuid.UUID(value)
        except ValueError:
            raise ScopeError(f"{value!r} is not an API token id (a UUID)") from None
        if not ApiToken.objects.filter(pk=token_id).exists() and not AuditEntry.objects.filter(
                actor_id=str(token_id)).exists():
            raise ScopeError(f"no API token {value} (and none in the audit log)")
        return str(token_id)
    raise ScopeError(f"unknown actor kind {kind!r}")


def scope_query(*, query: ScopeQuery) -> list[Affected]:
    """The affected subjects, sorted by subject id, with categories and event counts."""
    if query.since.tzinfo is None or query.until.tzinfo is None:
        raise ScopeError("give times with a time zone (e.g. 2026-12-07T10:00:00Z)")
    if query.until <= query.since:
        raise ScopeError("the end of the window (T2) must be after its start (T1)")
    origins: list[str] = []
    if query.kind == "ip":
        origins = _origins_of(query)
        rows = list(_seen(query).filter(origin_id__in=origins).values_list("subject_id")
                    .annotate(n=Count("id"), first=Min("at_us"), last=Max("at_us"))
                    .order_by("subject_id"))
    else:
        actor_id = actor_id_resolve(kind=query.kind, value=query.value)
        rows = [(str(a.subject_id), a.events, a.first_us, a.last_us)
                for a in audit_subjects_seen_by(actor_id=actor_id, since=query.since,
                                                until=query.until)]
        query = ScopeQuery("actor_id", actor_id, query.since, query.until)
    cats = _categories(query, {s for s, *_ in rows}, origins)
    return [Affected(uuid.UUID(s), n, _at(first), _at(last), tuple(sorted(cats.get(s, ()))))
            for s, n, first, last in rows]


def _seen(query: ScopeQuery):
    return AuditEntry.objects.filter(
        at_us__gte=micros(query.since), at_us__lt=micros(query.until),
        event__in=[int(e) for e in DATA_SEEN_EVENTS]).exclude(subject_id="")


def _origins_of(query: ScopeQuery) -> list[str]:
    """The origin rows (encrypted addresses) used in the window that hold the address."""
    try:
        address = str(ipaddress.ip_address(query.value.strip()))
    except ValueError:
        raise ScopeError(f"{query.value!r} is not an IP address") from None
    origin_ids = set(_seen(query).exclude(origin_id="").values_list("origin_id", flat=True)
                     .distinct())
    return [str(o.pk) for o in AuditOrigin.objects.filter(pk__in=origin_ids)
            if str(o.ip) == address]


def _categories(query: ScopeQuery, subjects: set[str],
                origins: list[str]) -> dict[str, set[str]]:
    """subject -> data categories of the fields the events showed (privacy inventory)."""
    if not subjects:
        return {}
    by_field: dict[tuple[str, str], str] = {
        (row.model.lower(), row.field): row.category for row in inventory(personal_only=True)}
    qs = _seen(query).filter(subject_id__in=subjects)
    if query.kind == "actor_id":
        qs = qs.filter(actor_id=query.value)
    else:
        qs = qs.filter(origin_id__in=origins)
    out: dict[str, set[str]] = defaultdict(set)
    for subject, object_type, fields in qs.values_list(
            "subject_id", "object_type", "fields").distinct():
        for name in filter(None, fields.split(",")):
            category = by_field.get((object_type.lower(), name))
            if category is None:  # the object type may be a bare model name
                category = next((c for (m, f), c in by_field.items()
                                 if f == name and m.endswith(f".{object_type.lower()}")), None)
            if category:
                out[subject].add(category)
    return out

"""Canary records (honeytokens, after Thinkst Canary): fake customers nobody legitimate
ever touches, so touching one is the alarm.

The owner plants a few (``strongroom incidents canaries plant N``). Each is an ordinary
customer account (generated name, an address at a domain the owner controls, a random
password nobody knows, joined now) plus a ``Canary`` row that names it only by a keyed
tag (see ``models.Canary``): a thief with a dump cannot tell them apart.

Detection watches the audit log as it is written (``audit.services.audit_recorded``), so
every route that records a read is covered without touching the routes themselves: a
staff page or reveal, an export, an API read (``DATA_SEEN_EVENTS``), and a sign-in or
reset attempt naming a canary's email (a leaked list being tried). An API request made with
a canary's bearer token is recorded as a read by that token (``canary_api_read``, called by
the API's bearer check), so it trips the same way. The alert (high), the
CANARY_TRIPPED audit event and a drafted incident are written in the transaction of the
event that tripped them: within the request, and never without that event.

Residual leaks, by design: a canary has no sign-up events in the log (like a customer
brought in by ``customers import``) and no orders (like most accounts); canaries planted
together joined in the same second, so plant a few at a time, on different days. The
``Canary`` table shows how many there are and when they were planted, not which.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import time
import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from strongroom.protection.alerts.models import Alert
from strongroom.protection.alerts.services import alert_raise
from strongroom.protection.audit.events import DATA_SEEN_EVENTS, Actor, ActorType, AuditEvent
from strongroom.protection.audit.services import audit_record
from strongroom.protection.vault.services import subject_create

from .errors import IncidentError
from .models import Canary

MAX_PLANT = 50
CACHE_SECONDS = 5.0  # another process sees a newly planted canary within this long
ALERT_KIND = "canary.touched"
SYSTEM = Actor.system("incidents.canaries")

# A sign-in, MFA or reset attempt naming a canary means its email is on someone's list.
TRIP_EVENTS = frozenset(DATA_SEEN_EVENTS | {
    AuditEvent.LOGIN_FAILED, AuditEvent.LOGIN_SUCCEEDED, AuditEvent.PASSWORD_RESET_REQUESTED,
    AuditEvent.MFA_CHALLENGE_FAILED})

_DOMAIN = re.compile(r"^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_FIRST = ("anna", "ben", "carla", "david", "elena", "felix", "grace", "hugo", "ines", "jonas",
          "karin", "leon", "maria", "noah", "olga", "paul", "rosa", "simon", "tara", "victor")
_LAST = ("meyer", "novak", "garcia", "jensen", "rossi", "kowalski", "dubois", "larsen",
         "silva", "weber", "horvat", "murphy", "schmidt", "berg", "costa", "lindqvist")


@dataclass(frozen=True)
class CanaryRow:
    account_id: uuid.UUID
    email: str
    joined: dt.datetime


def _person() -> tuple[str, str]:
    first, last = secrets.choice(_FIRST), secrets.choice(_LAST)
    style = secrets.randbelow(3)
    local = (f"{first}.{last}" if style == 0 else f"{first[0]}{last}" if style == 1
             else f"{first}{last}")
    return f"{first.title()} {last.title()}", f"{local}{secrets.randbelow(900) + 10}"


def canaries_plant(*, count: int, domain: str, by: Any, request: Any = None) -> int:
    """Plant ``count`` canary customers with addresses at ``domain`` (one whose mail the
    owner reads: a message to a canary is itself a sign of a leak). The caller checked
    that ``by`` is the owner or security officer (or is the command line)."""
    if not isinstance(count, int) or not 1 <= count <= MAX_PLANT:
        raise IncidentError(f"Plant between 1 and {MAX_PLANT} canaries at a time.")
    domain = str(domain or "").strip().lower()
    if not _DOMAIN.match(domain):
        raise IncidentError(f"{domain!r} is not a mail domain (e.g. shop.example.com).")
    users = get_user_model().objects
    now = timezone.now()
    with transaction.atomic():
        for _ in range(count):
            for _attempt in range(5):  # a generated address already taken: try another
                name, local = _person()
                try:
                    with transaction.atomic():
                        # Joined now, like a sign-up: a made-up past date would
                        # disagree with the vault rows made with it (their times, order).
                        user = users.create_user(
                            email=f"{local}@{domain}", password=secrets.token_urlsafe(32),
                            full_name=name, date_joined=now, password_changed_at=now)
                    break
                except IntegrityError:
                    continue
            else:
                raise IncidentError("Could not find a free address: try another domain.")
            Canary.objects.create(subject=subject_create(), marker=str(user.subject_id))
        audit_record(event=AuditEvent.CANARIES_PLANTED, actor=by if by is not None else SYSTEM,
                     reason=f"{count} canaries planted", request=request)
    canaries_cache_clear()
    return count


_cache: tuple[float, frozenset[uuid.UUID]] | None = None


def canary_subject_ids() -> frozenset[uuid.UUID]:
    """The canaries' vault subject ids (decrypted from the markers; cached briefly)."""
    global _cache
    now = time.monotonic()
    if _cache is not None and now - _cache[0] < CACHE_SECONDS:
        return _cache[1]
    ids = frozenset(uuid.UUID(str(c.marker)) for c in Canary.objects.all())
    _cache = (now, ids)
    return ids


def canaries_cache_clear() -> None:
    global _cache
    _cache = None


def canaries_list() -> list[CanaryRow]:
    ids = canary_subject_ids()
    return [CanaryRow(u.pk, str(u.email), u.date_joined)
            for u in get_user_model().objects.filter(subject_id__in=ids).order_by("date_joined")]


def canary_is(*, subject_id: Any) -> bool:
    try:
        return uuid.UUID(str(subject_id)) in canary_subject_ids()
    except ValueError:
        return False


def canary_trip(*, event: AuditEvent, actor: Actor) -> Alert:
    """A canary was touched: raise the alert (repeats by one actor count on one open
    alert), audit it, and draft an incident from the alert. In the caller's
    transaction."""
    # Imported here: services imports this module (the scope leaves canaries out).
    from .services import incident_open_from_alert

    who = f"{actor.type.label} {actor.id}".strip()
    detail: dict[str, Any] = {"event": event.name.lower(), "actor_type": actor.type.label}
    if actor.type == ActorType.STAFF:
        detail["staff_id"] = actor.id  # the incident's timeline follows this account
    elif actor.type == ActorType.API_CLIENT:
        detail["token_id"] = actor.id
    alert = alert_raise(kind=ALERT_KIND, source="incidents.canaries", severity="high",
                        summary=f"Canary record touched: {event.label} by {who}",
                        detail=detail, dedupe_key=f"canary:{actor.type.label}:{actor.id}")
    audit_record(event=AuditEvent.CANARY_TRIPPED, actor=SYSTEM, object=("alerts.alert", alert.pk),
                 reason=f"{event.label} by {who}")
    incident_open_from_alert(alert_id=alert.pk, by=SYSTEM)
    return alert


def canary_api_read(*, token_id: Any, subject_id: Any, request: Any = None) -> bool:
    """An API request carries a canary's bearer token (nobody legitimate has one: the
    token was made with a cracked password, or written into the database): record the
    read as CUSTOMER_VIEWED by that API client, which trips the alarm (the audit hook) in
    the same transaction, within the request. True when it was a canary."""
    if not canary_is(subject_id=subject_id):
        return False
    with transaction.atomic():
        audit_record(event=AuditEvent.CUSTOMER_VIEWED, subject_id=subject_id,
                     actor=Actor.api_client(str(token_id), uuid.UUID(str(subject_id))),
                     object=("accounts.apitoken", token_id), request=request,
                     reason="an API request with the account's bearer token")
    return True


def on_audit_recorded(sender: Any, event: AuditEvent, actor: Actor, subject_id: str,
                      **kwargs: Any) -> None:
    """``audit_recorded`` receiver: the cheap tests first (most events name no subject,
    or are not reads), then the cached canary set."""
    if not subject_id or event not in TRIP_EVENTS or not canary_is(subject_id=subject_id):
        return
    canary_trip(event=event, actor=actor)

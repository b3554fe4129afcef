"""Signed-in browsers: one ``UserSession`` row per Django session, so a person can see
where they are signed in and sign any browser out, and a password change or an
administrator can sign out all of them.

Timeouts (checked by ``middleware.SessionPolicyMiddleware`` on every request):
idle 15 minutes for staff (PCI DSS 8.2.8), configurable for customers; an absolute
limit from sign-in for both. The clocks live in the server-side session.
"""

from __future__ import annotations

import hashlib
import re
import time
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from strongroom.protection.audit.events import AuditEvent
from strongroom.protection.audit.services import audit_record

from .models import UserSession

AUTH_AT = "sr_auth_at"
SEEN_AT = "sr_seen_at"
SEEN_RESOLUTION = 30  # seconds between writes of "last seen"


def key_hash(session_key: str | None) -> str:
    return hashlib.sha256((session_key or "").encode()).hexdigest()


def browser_label(user_agent: str) -> str:
    """ "Firefox on Linux": enough to recognise a device, no fingerprint kept."""
    ua = user_agent or ""
    browser = next((name for pattern, name in (
        (r"Edg/", "Edge"), (r"OPR/", "Opera"), (r"Firefox/", "Firefox"),
        (r"Chrome/|Chromium/|HeadlessChrome/", "Chrome"), (r"Safari/", "Safari"),
    ) if re.search(pattern, ua)), "Unknown browser")
    system = next((name for pattern, name in (
        (r"Android", "Android"), (r"iPhone|iPad", "iOS"), (r"Windows", "Windows"),
        (r"Mac OS X|Macintosh", "macOS"), (r"Linux", "Linux"),
    ) if re.search(pattern, ua)), "an unknown system")
    return f"{browser} on {system}"


def session_started(*, request: HttpRequest, user: Any) -> UserSession:
    """Called at every sign-in (``user_logged_in``): the session id is already new."""
    now = time.time()
    request.session[AUTH_AT] = now
    request.session[SEEN_AT] = now
    if request.session.session_key is None:
        request.session.save()
    # Keyed by the session: a second sign-in that kept the same id (Django's login() keeps
    # it for the same person) takes the row over instead of breaking the unique hash.
    row, _ = UserSession.objects.update_or_create(
        key_hash=key_hash(request.session.session_key),
        defaults={"user": user, "created_at": timezone.now(), "last_seen_at": timezone.now(),
                  "browser": browser_label(request.META.get("HTTP_USER_AGENT", ""))[:80]})
    return row


def session_forget(*, session_key: str | None) -> None:
    """A session id that was replaced at a new sign-in: its row must not stay listed."""
    if session_key:
        UserSession.objects.filter(key_hash=key_hash(session_key)).delete()


def session_rekeyed(*, request: HttpRequest, old_key: str | None) -> None:
    """The session id changed (``cycle_key``) without a new sign-in: follow it."""
    if request.session.session_key is None:
        request.session.save()
    UserSession.objects.filter(key_hash=key_hash(old_key)).update(
        key_hash=key_hash(request.session.session_key))


def session_current(*, request: HttpRequest) -> UserSession | None:
    return UserSession.objects.filter(key_hash=key_hash(request.session.session_key)).first()


def session_list(*, user: Any) -> list[UserSession]:
    return list(UserSession.objects.filter(user=user))


def limits_for(user: Any) -> tuple[int, int]:
    """(idle seconds, absolute seconds) for this account."""
    policy = settings.STRONGROOM_ACCOUNTS
    if user.is_staff:
        return policy.staff_idle_minutes * 60, policy.staff_session_hours * 3600
    return policy.customer_idle_minutes * 60, policy.customer_session_days * 86400


def session_expired(*, request: HttpRequest, now: float | None = None) -> str | None:
    """Why this signed-in session must end now ("idle", "absolute", "revoked"), or None."""
    now = time.time() if now is None else now
    idle, absolute = limits_for(request.user)
    auth_at, seen_at = request.session.get(AUTH_AT), request.session.get(SEEN_AT)
    if not isinstance(auth_at, int | float) or not isinstance(seen_at, int | float):
        return "revoked"
    if now - seen_at > idle:
        return "idle"
    if now - auth_at > absolute:
        return "absolute"
    if not UserSession.objects.filter(key_hash=key_hash(request.session.session_key),
                                      user=request.user).exists():
        return "revoked"
    if now - seen_at >= SEEN_RESOLUTION:
        request.session[SEEN_AT] = now
        UserSession.objects.filter(key_hash=key_hash(request.session.session_key)).update(
            last_seen_at=timezone.now())
    return None


def session_ended(*, request: HttpRequest) -> None:
    UserSession.objects.filter(key_hash=key_hash(request.session.session_key)).delete()


def session_revoke(*, user: Any, session_id: Any, request: HttpRequest | None = None) -> bool:
    """Sign one of ``user``'s own browsers out (another account's id: nothing happens)."""
    with transaction.atomic():
        deleted, _ = UserSession.objects.filter(user=user, pk=session_id).delete()
        if deleted:
            audit_record(event=AuditEvent.SESSION_REVOKED, actor=user, request=request,
                         subject_id=user.subject_id, object=("accounts.usersession", session_id))
    return bool(deleted)


def sessions_revoke_all(*, user: Any, keep: HttpRequest | None = None,
                        actor: Any = None, request: HttpRequest | None = None) -> int:
    """Sign out every browser of ``user`` except ``keep``'s (password change, admin)."""
    rows = UserSession.objects.filter(user=user)
    if keep is not None:
        rows = rows.exclude(key_hash=key_hash(keep.session.session_key))
    with transaction.atomic():
        deleted, _ = rows.delete()
        if deleted:
            audit_record(event=AuditEvent.SESSION_REVOKED, actor=actor or user,
                         request=request or keep, subject_id=user.subject_id, object=user,
                         reason=f"{deleted} sessions signed out")
    return deleted

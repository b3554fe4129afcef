"""Containment that replaces credentials the attacker may hold: every API token, and the
Django secret key (after a leak, with no fallback; routinely, with the old key kept as a
fallback for some days, then dropped). Same contract as ``containment``: the caller (the
console view) has checked ``incidents.manage`` and a recent second factor; each action
writes its CONTAINMENT_* audit event and a timeline line in one transaction, and in a
tabletop exercise is recorded without being executed.

The key files live in the data directory (``secret_key``, ``secret_key_fallbacks``, both
0600); the acting process switches at commit, every other one before its next request
or job (``config.secretwatch``).
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from strongroom.config import SECRET_KEY_FALLBACKS_FILE, SECRET_KEY_FILE, ConfigError
from strongroom.config.secretkey import (
    Fallback,
    fallbacks_file_read,
    fallbacks_file_text,
    secret_key_fallbacks,
)
from strongroom.protection.accounts.models import UserSession
from strongroom.protection.accounts.tokens import api_token_revoke_all
from strongroom.protection.audit.events import AuditEvent
from strongroom.protection.audit.services import audit_record

from .containment import _done, _rehearsed
from .errors import IncidentError
from .models import Incident

MAX_FALLBACK_DAYS = 90  # a routine rotation keeps the old key at most this long


def contain_api_tokens_revoke(*, incident: Incident, by: Any, request: Any = None) -> int:
    """Revoke every API token of every account (a stolen token, or the table that holds
    their hashes, stops working at once). Each account's revocation is audited
    (API_TOKEN_REVOKED), then the containment. Returns how many tokens."""
    if _rehearsed(incident=incident, by=by, request=request, what="revoke every API token"):
        return 0
    holders = get_user_model().objects.filter(api_tokens__isnull=False).distinct()
    total = 0
    with transaction.atomic():
        for user in holders:
            revoked = api_token_revoke_all(user=user)
            total += revoked
            audit_record(event=AuditEvent.API_TOKEN_REVOKED, actor=by, object=user,
                         subject_id=user.subject_id, request=request,
                         reason=f"{revoked} tokens, incident {incident}")
        _done(incident=incident, by=by, request=request,
              event=AuditEvent.CONTAINMENT_API_TOKENS_REVOKED,
              text=f"Revoked every API token: {total} tokens of {len(holders)} accounts.")
    return total


def _key_file() -> Path:
    return Path(settings.STRONGROOM_DATA_DIR) / SECRET_KEY_FILE


def fallback_days_default() -> int:
    """The longest life of a value signed with the secret key that a person holds: a
    session (the cookie's age, the customers' and the staff's policy) or a password-reset
    link. Keeping the old key this long signs nobody out and breaks no such link. (An
    unsubscribe link lives longer, 400 days: after the fallback ends, an old newsletter's
    link says it is too old, and the customer unsubscribes in the privacy centre.)"""
    policy = settings.STRONGROOM_ACCOUNTS
    seconds = max(settings.SESSION_COOKIE_AGE, settings.PASSWORD_RESET_TIMEOUT,
                  policy.customer_session_days * 86400, policy.staff_session_hours * 3600)
    return min(MAX_FALLBACK_DAYS, max(1, -(-seconds // 86400)))


def _key_from_file() -> Path:
    path = _key_file()
    try:
        from_file = secrets.compare_digest(path.read_text().strip().encode(),
                                           str(settings.SECRET_KEY).encode())
    except OSError:
        from_file = False
    if not from_file:
        raise IncidentError("The secret key is set by STRONGROOM_SECRET_KEY, not by the data "
                            "directory's key file: put a new key there (for a routine "
                            "rotation, the old one in STRONGROOM_SECRET_KEY_FALLBACKS; after a "
                            "leak, nowhere) and restart every app process.")
    return path


def _stage(path: Path, text: str) -> Path:
    """``text`` in a new 0600 file beside ``path``, written before the commit (a full disk
    fails here, with nothing changed)."""
    staged = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    fd = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    return staged


def _switch_at_commit(*, key: str | None, fallbacks: list[Fallback], record: Callable[[], Any],
                      leaked: bool = False) -> None:
    """Stage the new fallbacks file (and key), run ``record`` (the audit event, the
    timeline, any session ends) in one transaction and put the files in place when it
    commits: the fallbacks first, so a stop in between leaves the old key accepted (the
    current key listed as its own fallback is ignored), never an old key lost."""
    data_dir = Path(settings.STRONGROOM_DATA_DIR)
    listed = data_dir / SECRET_KEY_FALLBACKS_FILE
    staged = [(_stage(listed, fallbacks_file_text(fallbacks)), listed)] if fallbacks else []
    if key is not None:
        staged.append((_stage(_key_file(), key), _key_file()))

    def switch() -> None:
        if not fallbacks:  # none kept: no file (deleted before the key changes)
            listed.unlink(missing_ok=True)
        for source, target in staged:
            os.replace(source, target)
        if key is not None:
            settings.SECRET_KEY = key
        # After a leak none, not even STRONGROOM_SECRET_KEY_FALLBACKS' (in this process).
        settings.SECRET_KEY_FALLBACKS = [] if leaked else secret_key_fallbacks(
            settings.CONFIG.extra, settings.SECRET_KEY, settings.DEBUG, data_dir)

    try:
        with transaction.atomic():
            record()
            transaction.on_commit(switch)
    except BaseException:
        for source, _ in staged:
            source.unlink(missing_ok=True)
        raise


def contain_secret_key_rotate(*, incident: Incident, by: Any, request: Any = None) -> int:
    """After a leak: a new Django secret key, the old one NOT kept as a fallback, and the
    fallbacks file emptied (whoever holds a leaked key could forge sessions,
    password-reset and confirmation links). So every session ends (the acting one too)
    and earlier signed links stop working.

    The key file in the data directory is replaced at commit; this process uses the new
    key at once and every other one before its next request or job
    (``config.secretwatch``). An old key listed in STRONGROOM_SECRET_KEY_FALLBACKS must be
    removed from there by hand. A key set in STRONGROOM_SECRET_KEY (not the file) cannot
    be rotated from here: the error says how. Returns how many sessions ended."""
    if _rehearsed(incident=incident, by=by, request=request,
                  what="rotate the secret key after a leak (no fallback)"):
        return 0
    _key_from_file()
    ended = 0

    def record() -> None:
        nonlocal ended
        ended = UserSession.objects.all().delete()[0]
        Session.objects.all().delete()
        _done(incident=incident, by=by, request=request,
              event=AuditEvent.CONTAINMENT_SECRET_KEY_ROTATED,
              text=f"Rotated the secret key without a fallback: {ended} sessions ended "
                   "(everyone signs in again), earlier signed links refused; remove any old "
                   "key from STRONGROOM_SECRET_KEY_FALLBACKS.")

    _switch_at_commit(key=secrets.token_urlsafe(64), fallbacks=[], record=record, leaked=True)
    return ended


def contain_secret_key_roll(*, incident: Incident, by: Any, days: Any, request: Any = None,
                            now: dt.datetime | None = None) -> dt.datetime | None:
    """Routine: a new Django secret key, the old one kept as a fallback for ``days`` days
    (verified, never used to sign), so signed-in people stay signed in and emailed links
    (password reset, unsubscribe, payment) keep working until then; earlier fallbacks keep
    their own end, expired ones are dropped. Not for a leak: the thief's key would be
    accepted for as long. Returns when the old key stops being accepted (None in an
    exercise)."""
    days = _days(days)
    if _rehearsed(incident=incident, by=by, request=request,
                  what=f"rotate the secret key, the old one kept {days} days"):
        return None
    path = _key_from_file()
    now = now or timezone.now()
    until = now + dt.timedelta(days=days)
    old = path.read_text().strip()
    kept = [f for f in _fallbacks() if f.until > now and f.key != old]
    fallbacks = [Fallback(retired_at=now, until=until, key=old), *kept]
    _switch_at_commit(key=secrets.token_urlsafe(64), fallbacks=fallbacks, record=lambda: _done(
        incident=incident, by=by, request=request,
        event=AuditEvent.CONTAINMENT_SECRET_KEY_ROLLED,
        text=f"Rotated the secret key, the old one kept as a fallback until "
             f"{until:%Y-%m-%d %H:%M} UTC ({days} days): nobody is signed out, earlier "
             f"signed links keep working until then ({len(fallbacks)} fallbacks in all)."))
    return until


def contain_secret_key_fallbacks_drop(*, incident: Incident, by: Any,
                                      request: Any = None) -> int:
    """End the fallbacks of the data directory's file now: a session or link signed with
    an earlier key is refused from the next request on (its holder signs in again).
    Returns how many keys were dropped."""
    if _rehearsed(incident=incident, by=by, request=request,
                  what="drop the secret key's fallbacks"):
        return 0
    dropped = len(_fallbacks())
    if not dropped:
        raise IncidentError("No earlier secret key is kept in the data directory.")
    _switch_at_commit(key=None, fallbacks=[], record=lambda: _done(
        incident=incident, by=by, request=request,
        event=AuditEvent.CONTAINMENT_SECRET_KEY_FALLBACKS_DROPPED,
        text=f"Dropped {dropped} earlier secret keys: sessions and links signed with them "
             "are refused from now on."))
    return dropped


def secret_key_fallbacks_status(*, now: dt.datetime | None = None) -> list[Fallback]:
    """The data directory's fallbacks still accepted, newest first (for the page: their
    times only are shown, never a key)."""
    now = now or timezone.now()
    return [f for f in _fallbacks() if f.until > now]


def secret_key_fallbacks_prune(*, now: dt.datetime | None = None) -> int:
    """Delete the expired keys from the fallbacks file (they are refused from their end
    on anyway: this takes them off the disk). The daily ``secret-key-fallbacks-prune``
    job. Returns how many were deleted."""
    now = now or timezone.now()
    entries = _fallbacks()
    kept = [f for f in entries if f.until > now]
    if len(kept) < len(entries):
        path = Path(settings.STRONGROOM_DATA_DIR) / SECRET_KEY_FALLBACKS_FILE
        os.replace(_stage(path, fallbacks_file_text(kept)), path)
    return len(entries) - len(kept)


def _fallbacks() -> list[Fallback]:
    try:
        return fallbacks_file_read(Path(settings.STRONGROOM_DATA_DIR))
    except ConfigError as exc:
        raise IncidentError(str(exc)) from None


def _days(value: Any) -> int:
    try:
        days = int(str(value).strip())
    except ValueError:
        days = 0
    if not 1 <= days <= MAX_FALLBACK_DAYS:
        raise IncidentError(f"Keep the old key between 1 and {MAX_FALLBACK_DAYS} days.")
    return days

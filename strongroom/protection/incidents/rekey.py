"""Containment that replaces credentials the attacker may hold: every API token, and the
Django secret key. Same contract as ``containment``: the caller (the console view) has
checked ``incidents.manage`` and a recent second factor; each action writes its
CONTAINMENT_* audit event and a timeline line in one transaction, and in a tabletop
exercise is recorded without being executed.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import transaction

from strongroom.protection.accounts.models import UserSession
from strongroom.protection.accounts.tokens import api_token_revoke_all
from strongroom.protection.audit.events import AuditEvent
from strongroom.protection.audit.services import audit_record

from .containment import _done, _rehearsed
from .errors import IncidentError
from .models import Incident

SECRET_KEY_FILE = "secret_key"  # noqa: S105 - a file name (config.SECRET_KEY_FILE)


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


def contain_secret_key_rotate(*, incident: Incident, by: Any, request: Any = None) -> int:
    """A new Django secret key, the old one NOT kept as a fallback: after a leak, whoever
    holds it could forge sessions, password-reset and confirmation links. So every
    session ends (the acting one too) and earlier signed links stop working.

    The key file in the data directory is replaced (at commit) and this process uses the
    new key at once; other app processes must be restarted to load it, and an old key
    listed in STRONGROOM_SECRET_KEY_FALLBACKS must be removed from there. A key set in
    STRONGROOM_SECRET_KEY (not the file) cannot be rotated from here: the error says how.
    Returns how many sessions ended."""
    if _rehearsed(incident=incident, by=by, request=request, what="rotate the secret key"):
        return 0
    path = _key_file()
    try:
        from_file = secrets.compare_digest(path.read_text().strip().encode(),
                                           str(settings.SECRET_KEY).encode())
    except OSError:
        from_file = False
    if not from_file:
        raise IncidentError("The secret key is set by STRONGROOM_SECRET_KEY, not by the data "
                            "directory's key file: put a new key there, leave the old one "
                            "out of STRONGROOM_SECRET_KEY_FALLBACKS, and restart every app "
                            "process.")
    new = secrets.token_urlsafe(64)
    staged = path.with_name(f".{SECRET_KEY_FILE}.{secrets.token_hex(4)}")
    fd = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:  # written before the commit: a full disk fails here
        handle.write(new)

    def switch() -> None:
        os.replace(staged, path)
        settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = new, []

    try:
        with transaction.atomic():
            ended = UserSession.objects.all().delete()[0]
            Session.objects.all().delete()
            _done(incident=incident, by=by, request=request,
                  event=AuditEvent.CONTAINMENT_SECRET_KEY_ROTATED,
                  text=f"Rotated the secret key without a fallback: {ended} sessions ended "
                       "(everyone signs in again); restart every other app process and "
                       "remove any old key from STRONGROOM_SECRET_KEY_FALLBACKS.")
            transaction.on_commit(switch)
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    return ended

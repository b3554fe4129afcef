"""API bearer tokens: create (raw token shown once), authenticate, revoke.

Only ``sha256(token)`` is stored. Authentication looks the hash up through a unique
index instead of comparing secrets in Python: an attacker who can time the lookup
learns at most about a hash of their own guess, never a prefix of a real token, so the
lookup has the constant-time property that ``secrets.compare_digest`` gives elsewhere.
Tokens carry 256 random bits, so the hash needs no salt or slow KDF.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from .models import ApiToken

TOKEN_PREFIX = "sr_"  # noqa: S105 - a public marker that helps secret scanners
TOKEN_LIFETIME = timedelta(days=30)
MAX_TOKEN_LENGTH = 128
# Writing last_used_at on every request would turn each read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def api_token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def api_token_create(
    *, user, name: str = "", lifetime: timedelta | None = TOKEN_LIFETIME,
    now: datetime | None = None,
) -> tuple[ApiToken, str]:
    """A new token for ``user`` and its raw value, which is never stored or shown again.
    The caller has authenticated ``user`` (password, and MFA where required)."""
    now = now or timezone.now()
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name[:100], token_hash=api_token_hash(raw), created_at=now,
        expires_at=now + lifetime if lifetime is not None else None,
    )
    return token, raw


def api_token_get(*, raw: str | None, now: datetime | None = None) -> ApiToken | None:
    """The live token ``raw`` names (not expired, active user), or None for any failure."""
    if not raw or len(raw) > MAX_TOKEN_LENGTH or not raw.startswith(TOKEN_PREFIX):
        return None
    now = now or timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=api_token_hash(raw), user__is_active=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .first()
    )
    if token is None:
        return None
    if token.last_used_at is None or token.last_used_at < now - LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def api_token_authenticate(*, raw: str | None, now: datetime | None = None):
    """The user behind a live token, or None."""
    token = api_token_get(raw=raw, now=now)
    return token.user if token is not None else None


def api_token_revoke(*, token: ApiToken) -> None:
    """Revoke one token. The caller has checked it belongs to the requester."""
    ApiToken.objects.filter(pk=token.pk).delete()


def api_token_revoke_all(*, user) -> int:
    """Revoke every API token of ``user`` (password change, incident containment)."""
    deleted, _ = ApiToken.objects.filter(user=user).delete()
    return deleted

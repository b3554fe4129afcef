"""Verifying the sandbox gateway's webhook signature (``t=<unix>,v1=<hex>``).

Threats: a forged webhook marking an unpaid order paid (the HMAC), a captured genuine
webhook replayed later (the signed timestamp must be recent; the event id is de-duplicated
by the caller), and timing side channels (``hmac.compare_digest``)."""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Sequence

from ..errors import WebhookInvalid

TOLERANCE_SECONDS = 300


def verify(*, body: bytes, header: str, secret: str | Sequence[str], now: float | None = None,
           tolerance: int = TOLERANCE_SECONDS) -> None:
    """Raise WebhookInvalid unless ``header`` is a fresh, valid signature of ``body`` by
    ``secret`` (or by any of several: the new and the old one while a rolled secret's
    grace lasts). An empty secret is never a key."""
    keys = [k for k in ([secret] if isinstance(secret, str) else secret) if k]
    timestamp, candidates = None, []
    for item in (header or "").split(","):
        key, _, value = item.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1" and value:
            candidates.append(value)
    if timestamp is None or not candidates:
        raise WebhookInvalid("missing or malformed signature header")
    now = time.time() if now is None else now
    if abs(now - timestamp) > tolerance:
        raise WebhookInvalid("timestamp outside the tolerance")
    signed = f"{timestamp}.".encode() + body
    for key in keys:
        expected = hmac.new(key.encode(), signed, hashlib.sha256).hexdigest().encode()
        if any(hmac.compare_digest(expected, c.encode()) for c in candidates):
            return
    raise WebhookInvalid("signature mismatch")

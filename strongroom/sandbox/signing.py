"""Webhook signatures: ``Sandbox-Signature: t=<unix time>,v1=<hex HMAC-SHA256>`` over
``"<t>." + body`` with the merchant's webhook secret — the scheme Stripe uses, so the
store's verifier treats both gateways alike. The timestamp is signed too, so an old
delivery cannot be replayed with a fresh time."""

from __future__ import annotations

import hashlib
import hmac

HEADER = "Sandbox-Signature"


def signature(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def header_value(secret: str, timestamp: int, body: bytes) -> str:
    return f"t={timestamp},v1={signature(secret, timestamp, body)}"

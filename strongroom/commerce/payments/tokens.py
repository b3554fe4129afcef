"""Pay tokens: the bearer token on the store's pay and return URLs.

Whoever placed the order (a browser session or an API client) can send the shopper to pay
without sharing a login. A token opens no personal data, only paying and the order's
status. It is deterministic (no timestamp), so a retried session request is byte-identical
and its idempotency key replays; the salt keeps it from being any other signature the
store makes with its secret key."""

from __future__ import annotations

from django.core import signing

from .models import Payment

PAY_TOKEN_SALT = "strongroom.payments.pay"  # noqa: S105 - a salt name, not a secret


def pay_token(payment: Payment) -> str:
    """The token for ``payment``'s order (the signature part of a Django signature)."""
    return signing.Signer(salt=PAY_TOKEN_SALT).sign(str(payment.order_id)).split(":", 1)[1]


def pay_token_valid(token: str, order_id: str) -> bool:
    """True if ``token`` was made for ``order_id``; compared in constant time by Django."""
    try:
        signing.Signer(salt=PAY_TOKEN_SALT).unsign(f"{order_id}:{token}")
    except signing.BadSignature:
        return False
    return True

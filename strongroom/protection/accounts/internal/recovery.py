"""Recovery codes: 10 random codes of 60 bits, shown once, stored as HMAC-SHA256 under
SECRET_KEY (a stolen table alone cannot be brute-forced offline), each usable once."""

from __future__ import annotations

import secrets

from django.utils.crypto import salted_hmac

COUNT = 10
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read off paper


def code_new() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def normalize(code: str) -> str:
    return "".join(ch for ch in str(code).lower() if ch.isalnum())[:32]


def code_hash(code: str) -> str:
    return salted_hmac("strongroom.accounts.recovery-code", normalize(code),
                       algorithm="sha256").hexdigest()

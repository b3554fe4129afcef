"""TOTP (RFC 6238) with pyotp: 6 digits, 30-second steps, one step of clock drift either
way. A code is accepted once: the device remembers the last step used and the update
that claims a step is conditional (``last_counter < step``), so two requests racing
with one intercepted code cannot both win (replay)."""

from __future__ import annotations

import secrets
import time

import pyotp
import segno
from django.utils.safestring import SafeString, mark_safe

DIGITS = 6
INTERVAL = 30
DRIFT_STEPS = 1


def secret_new() -> str:
    return pyotp.random_base32(length=32)  # 160 bits, RFC 4226's recommendation


def provisioning_uri(secret: str, *, account: str, issuer: str) -> str:
    return pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL).provisioning_uri(
        name=account, issuer_name=issuer)


def qr_svg(uri: str) -> SafeString:
    """The QR code as inline SVG made here (no third-party image service sees the secret)."""
    svg = segno.make(uri, error="m").svg_inline(scale=5, border=4, dark="#000", light="#fff",
                                                svgclass="totp-qr", title="QR code")
    return mark_safe(svg)  # noqa: S308 - segno's own markup from a URI we built


def matching_step(secret: str, code: str, *, after: int, now: float | None = None) -> int | None:
    """The time step ``code`` is valid for (within drift), if later than ``after``."""
    code = "".join(ch for ch in str(code) if not ch.isspace())
    if len(code) != DIGITS or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL)
    current = int((time.time() if now is None else now) // INTERVAL)
    found = None
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        expected = totp.generate_otp(step)
        if secrets.compare_digest(expected, code) and step > after:
            found = step  # keep looping: the same work whether or not it matched
    return found


def grouped(secret: str) -> str:
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))

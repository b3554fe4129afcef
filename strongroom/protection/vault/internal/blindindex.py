"""Blind indexes: keyed HMAC-SHA256 of a normalised value, for exact lookups.

Threat: an unkeyed hash of an email is reversed by hashing a list of emails.
The HMAC key (an ``IndexKey``, wrapped by the KEK, separate from data keys)
makes the index useless without the KEK. Stored values describe themselves as
``<version>$<base64url digest>`` so rotation knows which rows to re-index, and
lookups try every live key (like Django's SECRET_KEY_FALLBACKS).

Residual leak, by design: equal values have equal indexes under one key, so a
dump shows which rows share an email (needed for uniqueness).

An empty value (None, "", nothing left after normalising) gets a ``filler``: random
bytes in the same shape, so the index column does not show which rows have no phone
number (as the padded ciphertext next to it does not). It matches no lookup and, being
random, never collides on uniqueness.
"""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Callable

from strongroom.protection.vault.internal import keymaterial
from strongroom.protection.vault.internal.keymaterial import Key

_DOMAIN = b"strongroom.vault.bidx.v1\x00"
_NON_DIGITS = re.compile(r"\D+")
_SPACES = re.compile(r"\s+")

NORMALIZERS: dict[str, Callable[[str], str]] = {
    "email": lambda v: v.strip().casefold(),
    "phone": lambda v: _NON_DIGITS.sub("", v),
    "text": lambda v: _SPACES.sub(" ", v.strip()).casefold(),
}

MAX_LENGTH = 64  # "<version>$" + 43 base64url characters


def normalize(kind: str, value: str) -> str:
    try:
        return NORMALIZERS[kind](value)
    except KeyError:
        raise ValueError(f"unknown blind index kind {kind!r}") from None


def compute(kind: str, value: str, version: int, key: Key) -> str:
    digest = keymaterial.mac(
        key, _DOMAIN + kind.encode() + b"\x00" + normalize(kind, value).encode()
    )
    return f"{version}${base64.urlsafe_b64encode(digest).rstrip(b'=').decode()}"


def version_of(index_value: str) -> int | None:
    head, sep, _ = index_value.partition("$")
    return int(head) if sep and head.isdigit() else None


def filler(version: int) -> str:
    """An index value for an empty source: the shape of ``compute``'s, matching nothing."""
    return f"{version}${base64.urlsafe_b64encode(os.urandom(32)).rstrip(b'=').decode()}"

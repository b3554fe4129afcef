"""The ciphertext format of encrypted fields (format version 1).

    0      1                9                    21
    +------+----------------+--------------------+---------------------------+
    | 0x01 | key id (u64 BE)| nonce (12 bytes)   | AES-256-GCM ct || tag(16) |
    +------+----------------+--------------------+---------------------------+

Like Tink's prefix, the header names the data key, so decryption needs no guess
and a key can be rotated out once no ciphertext names it any more.

Associated data = header || "strongroom.vault.v1" || model label || field || row pk.
Threat: an attacker with write access to the database (SQL injection, a
restored-and-edited dump) copies a victim's ciphertext into their own row or into
another column (e.g. swaps `email` and `note`). Binding the row and column makes
the tag check fail instead of decrypting into the wrong place. Binding the
header stops the version byte or key id being edited.
"""

from __future__ import annotations

from strongroom.protection.vault.internal import keymaterial
from strongroom.protection.vault.internal.keymaterial import Key, KeyMaterialError

FORMAT_V1 = 1
HEADER_BYTES = 9  # literal offsets 9 and 21 in open_ follow from these
NONCE_BYTES = keymaterial.NONCE_BYTES
TAG_BYTES = 16
MIN_BYTES = HEADER_BYTES + NONCE_BYTES + TAG_BYTES
MAX_KEY_ID = 2**64 - 1
_DOMAIN = b"strongroom.vault.v1\x00"


class EnvelopeError(Exception):
    """Malformed or unauthentic ciphertext. Collapsed into DecryptionError upstream."""


def field_context(model_label: str, field_name: str) -> bytes:
    """The per-column part of the associated data, computed once per field."""
    for part in (model_label, field_name):
        if "\x00" in part:
            raise ValueError("context parts must not contain NUL")
    return _DOMAIN + model_label.encode() + b"\x00" + field_name.encode() + b"\x00"


def header(key_id: int) -> bytes:
    if not 0 < key_id <= MAX_KEY_ID:
        raise ValueError("key id out of range")
    return bytes((FORMAT_V1,)) + key_id.to_bytes(8, "big")


def key_id_of(blob: bytes) -> int:
    """The data key a ciphertext names; raises EnvelopeError if it is not v1."""
    if len(blob) < MIN_BYTES or blob[0] != FORMAT_V1:
        raise EnvelopeError("malformed ciphertext")
    return int.from_bytes(blob[1:HEADER_BYTES], "big")


def seal(key: Key, key_id: int, plaintext: bytes, context: bytes, row: bytes) -> bytes:
    head = header(key_id)
    nonce, sealed = keymaterial.aead_seal(key, plaintext, head + context + row)
    return head + nonce + sealed


def open_(key: Key, blob: bytes, context: bytes, row: bytes) -> bytes:
    # Hot path: one read of every encrypted value. ``key_id_of`` has usually
    # validated the header already; the checks here are the cheap ones.
    if len(blob) < MIN_BYTES or blob[0] != FORMAT_V1:
        raise EnvelopeError("malformed ciphertext")
    try:
        return keymaterial.aead_open(key, blob[9:21], blob[21:], blob[:9] + context + row)
    except KeyMaterialError:
        raise EnvelopeError("authentication failed") from None

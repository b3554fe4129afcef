"""The ciphertext format of encrypted fields (format versions 1 and 2).

    0         1                9                    21
    +---------+----------------+--------------------+---------------------------+
    | version | key id (u64 BE)| nonce (12 bytes)   | AES-256-GCM ct || tag(16) |
    +---------+----------------+--------------------+---------------------------+

Like Tink's prefix, the header names the data key, so decryption needs no guess
and a key can be rotated out once no ciphertext names it any more.

Associated data = header || "strongroom.vault.v1" || model label || field || row pk.
Threat: an attacker with write access to the database (SQL injection, a
restored-and-edited dump) copies a victim's ciphertext into their own row or into
another column (e.g. swaps `email` and `note`). Binding the row and column makes
the tag check fail instead of decrypting into the wrong place. Binding the
header stops the version byte or key id being edited (a v2 value relabelled v1,
say, fails its tag instead of being read without its padding removed).

Version 2 (written since December 2026) hides what version 1 showed to whoever reads
the column (a stolen dump): the plaintext's length, and whether there is a value at all.
What is encrypted is ``kind || value || 0x80 || 0x00 …`` padded to a length bucket:

* ``kind`` 0x01 = a value, 0x00 = "no value" (NULL). A NULL is stored as an encrypted
  marker, so an empty phone number and a short one look the same on disk.
* buckets: 32, 64, 128, … 4096 bytes, then multiples of 4096. Every email address,
  name and phone number below 31 bytes makes a ciphertext of the same 69 bytes.

The padding is checked only after the tag (no padding oracle: a forged ciphertext never
gets that far). Version 1 values stay readable; ``keys rotate --reencrypt`` rewrites
them (and NULL columns) as version 2.
"""

from __future__ import annotations

from strongroom.protection.vault.internal import keymaterial
from strongroom.protection.vault.internal.keymaterial import Key, KeyMaterialError

FORMAT_V1 = 1  # plaintext as it is; NULL stays a NULL column
FORMAT_V2 = 2  # kind byte, plaintext, 0x80, zero padding to a length bucket
FORMATS = frozenset((FORMAT_V1, FORMAT_V2))
FORMAT_CURRENT = FORMAT_V2
HEADER_BYTES = 9  # literal offsets 9 and 21 in open_ follow from these
NONCE_BYTES = keymaterial.NONCE_BYTES
TAG_BYTES = 16
MIN_BYTES = HEADER_BYTES + NONCE_BYTES + TAG_BYTES
MAX_KEY_ID = 2**64 - 1
MIN_BUCKET = 32
LINEAR_FROM = 4096  # above this, buckets grow by 4096 bytes instead of doubling
KIND_NULL = 0
KIND_VALUE = 1
_PAD_MARK = 0x80
_DOMAIN = b"strongroom.vault.v1\x00"


class EnvelopeError(Exception):
    """Malformed or unauthentic ciphertext. Collapsed into DecryptionError upstream."""


def field_context(model_label: str, field_name: str) -> bytes:
    """The per-column part of the associated data, computed once per field."""
    for part in (model_label, field_name):
        if "\x00" in part:
            raise ValueError("context parts must not contain NUL")
    return _DOMAIN + model_label.encode() + b"\x00" + field_name.encode() + b"\x00"


def header(key_id: int, version: int = FORMAT_CURRENT) -> bytes:
    if not 0 < key_id <= MAX_KEY_ID:
        raise ValueError("key id out of range")
    if version not in FORMATS:
        raise ValueError("unknown ciphertext format version")
    return bytes((version,)) + key_id.to_bytes(8, "big")


def key_id_of(blob: bytes) -> int:
    """The data key a ciphertext names; raises EnvelopeError if it is malformed."""
    if len(blob) < MIN_BYTES or blob[0] not in FORMATS:
        raise EnvelopeError("malformed ciphertext")
    return int.from_bytes(blob[1:HEADER_BYTES], "big")


def format_of(blob: bytes) -> int:
    """The format version of a ciphertext (1 or 2); raises EnvelopeError if malformed."""
    key_id_of(blob)
    return blob[0]


def bucket(length: int) -> int:
    """The padded size of a v2 plaintext whose kind byte, value and mark take ``length``."""
    if length <= LINEAR_FROM:
        size = MIN_BUCKET
        while size < length:
            size *= 2
        return size
    return -(-length // LINEAR_FROM) * LINEAR_FROM


def pad(value: bytes | None) -> bytes:
    """``kind || value || 0x80 || 0x00…`` at its bucket's size (None: the NULL marker)."""
    body = bytes((KIND_NULL,)) if value is None else bytes((KIND_VALUE,)) + value
    body += bytes((_PAD_MARK,))
    return body + bytes(bucket(len(body)) - len(body))


def unpad(padded: bytes) -> bytes | None:
    """Inverse of ``pad``; EnvelopeError if it is not a well-formed padded plaintext."""
    body = padded.rstrip(b"\x00")
    if len(body) < 2 or body[-1] != _PAD_MARK or len(padded) != bucket(len(body)):
        raise EnvelopeError("malformed padding")
    kind = body[0]
    if kind == KIND_VALUE:
        return body[1:-1]
    if kind == KIND_NULL and len(body) == 2:
        return None
    raise EnvelopeError("malformed padding")


def seal(
    key: Key,
    key_id: int,
    plaintext: bytes | None,
    context: bytes,
    row: bytes,
    *,
    version: int = FORMAT_CURRENT,
) -> bytes:
    """Encrypt ``plaintext`` (None: the NULL marker, v2 only) for one column of one row.

    ``version=FORMAT_V1`` exists for tests that need a legacy value; the store writes v2.
    """
    head = header(key_id, version)
    if version == FORMAT_V2:
        plaintext = pad(plaintext)
    elif plaintext is None:
        raise ValueError("format version 1 cannot encrypt a NULL")
    nonce, sealed = keymaterial.aead_seal(key, plaintext, head + context + row)
    return head + nonce + sealed


def open_(key: Key, blob: bytes, context: bytes, row: bytes) -> bytes | None:
    """The plaintext (None for a v2 NULL marker); EnvelopeError if anything is wrong."""
    # Hot path: one read of every encrypted value. ``key_id_of`` has usually
    # validated the header already; the checks here are the cheap ones.
    if len(blob) < MIN_BYTES or blob[0] not in FORMATS:
        raise EnvelopeError("malformed ciphertext")
    try:
        plain = keymaterial.aead_open(key, blob[9:21], blob[21:], blob[:9] + context + row)
    except KeyMaterialError:
        raise EnvelopeError("authentication failed") from None
    return plain if blob[0] == FORMAT_V1 else unpad(plain)

"""WARNING: this is the only module that touches cleartext key material.

Everything that holds raw key bytes lives here: generating keys, reading and
writing key files, AES-256-GCM with a key, HMAC-SHA256 with a key, wrapping one
key under another. Callers only ever see ``Key`` handles, which

* refuse pickling (so a key cannot end up in a cache, a session or a task queue),
* mask their ``repr`` (so a key cannot end up in a log line or a traceback),
* expose no attribute that returns the raw bytes.

Review every change to this module as a change to the key-handling boundary.
Do not add a function that returns ``bytes`` derived from a key other than
ciphertexts and MACs.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from pathlib import Path
from typing import NoReturn

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_BYTES = 32  # AES-256 and HMAC-SHA256 keys alike
NONCE_BYTES = 12  # 96-bit random nonces: safe for < 2**32 messages per key


class KeyMaterialError(Exception):
    """A key could not be read or used. Callers collapse it into DecryptionError."""


class Key:
    """An opaque handle on 32 bytes of key material."""

    __slots__ = ("_aead", "_raw", "fingerprint")

    def __init__(self, raw: bytes) -> None:
        if len(raw) != KEY_BYTES:
            raise KeyMaterialError("a key must be exactly 32 bytes")
        self._raw = raw
        # Built once: constructing AESGCM costs as much as a small decrypt.
        self._aead = AESGCM(raw)
        # Non-secret identifier, useful in status output; not reversible.
        self.fingerprint = hashlib.sha256(b"strongroom.vault.fp\x00" + raw).hexdigest()[:12]

    def __repr__(self) -> str:
        return f"<Key fp={self.fingerprint} material=***>"

    __str__ = __repr__

    def __reduce__(self) -> NoReturn:
        raise TypeError("vault keys cannot be pickled")

    def __reduce_ex__(self, protocol: object) -> NoReturn:
        raise TypeError("vault keys cannot be pickled")

    def __copy__(self) -> NoReturn:
        raise TypeError("vault keys cannot be copied")

    def __deepcopy__(self, memo: object) -> NoReturn:
        raise TypeError("vault keys cannot be copied")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Key) and hmac.compare_digest(self._raw, other._raw)

    def __hash__(self) -> int:
        return hash(self.fingerprint)


def key_generate() -> Key:
    return Key(os.urandom(KEY_BYTES))


def key_from_b64(text: str) -> Key:
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise KeyMaterialError("not base64") from None
    return Key(raw)


# --- Key files -------------------------------------------------------------------------


def key_file_create(path: Path) -> Key:
    """Create ``path`` with a fresh key, mode 0600, failing if it already exists.

    O_EXCL makes two concurrent first runs unable to overwrite each other's key
    (which would make everything wrapped by the loser unreadable).
    """
    key = key_generate()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(base64.b64encode(key._raw).decode("ascii") + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    return key


def key_file_read(path: Path) -> Key:
    try:
        return key_from_b64(path.read_text(encoding="ascii"))
    except (OSError, UnicodeDecodeError):
        raise KeyMaterialError("unreadable key file") from None


# --- Primitives --------------------------------------------------------------------------


def aead_seal(key: Key, plaintext: bytes, aad: bytes) -> tuple[bytes, bytes]:
    """AES-256-GCM with a fresh random nonce; returns (nonce, ciphertext+tag)."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce, key._aead.encrypt(nonce, plaintext, aad)


def aead_seal_with_nonce(key: Key, nonce: bytes, plaintext: bytes, aad: bytes) -> bytes:
    """Deterministic variant for known-answer tests only: never reuse a nonce."""
    return key._aead.encrypt(nonce, plaintext, aad)


def aead_open(key: Key, nonce: bytes, ciphertext: bytes, aad: bytes) -> bytes:
    try:
        return key._aead.decrypt(nonce, ciphertext, aad)
    except (InvalidTag, ValueError):
        raise KeyMaterialError("authentication failed") from None


def aead_of(key: Key) -> AESGCM:
    """The key's AES-GCM object, for the keystore's cached read path only."""
    return key._aead


def mac(key: Key, message: bytes) -> bytes:
    return hmac.digest(key._raw, message, "sha256")  # one-shot C path of HMAC-SHA256


def key_wrap(kek: Key, key: Key, aad: bytes) -> bytes:
    """Encrypt ``key`` under ``kek``: nonce || AES-GCM(key bytes)."""
    nonce, sealed = aead_seal(kek, key._raw, aad)
    return nonce + sealed


def key_unwrap(kek: Key, blob: bytes, aad: bytes) -> Key:
    return Key(aead_open(kek, blob[:NONCE_BYTES], blob[NONCE_BYTES:], aad))


def bare_aesgcm_decrypt_timer() -> tuple[object, bytes, bytes, bytes]:
    """For the benchmark: a bare AESGCM object and inputs, the baseline to beat."""
    aead = AESGCM(os.urandom(KEY_BYTES))
    nonce = os.urandom(NONCE_BYTES)
    aad = b"bench"
    return aead, nonce, aead.encrypt(nonce, b"someone@example.com", aad), aad

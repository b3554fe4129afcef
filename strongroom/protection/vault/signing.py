"""WARNING: cleartext signing-key material. Ed25519 keys that sign audit checkpoints.

Layout: ``<data_dir>/keys/audit-signing.key`` (base64 of the 32-byte private seed,
mode 0600, in the 0700 key directory) and ``audit-signing.pub`` (base64 of the raw
32-byte public key, mode 0644: hand it to whoever verifies the log).

Threat: whoever can write the database can rewrite the whole hash chain (SHA-256 is
unkeyed). Checkpoints signed with a key that is *not* in the database pin the chain
heads: rewriting history before a checkpoint then needs this file too. So the key
never enters the database, a log line, a pickle or a cache: ``SigningKey`` masks its
repr, refuses pickling and copying, and exposes only ``sign``.

Importable before Django is set up (``strongroom init`` runs without settings).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import stat
from pathlib import Path
from typing import NoReturn

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from strongroom.protection.vault.errors import KeyConfigError

PRIVATE_NAME = "audit-signing.key"
PUBLIC_NAME = "audit-signing.pub"


def signing_key_path(data_dir: Path) -> Path:
    return Path(data_dir) / "keys" / PRIVATE_NAME


def public_key_path(data_dir: Path) -> Path:
    return Path(data_dir) / "keys" / PUBLIC_NAME


def key_id_of(public_b64: str) -> str:
    """A short, non-secret name for a public key (written into every checkpoint)."""
    return hashlib.sha256(b"strongroom.audit.signing\x00" + public_b64.encode()).hexdigest()[:16]


class SigningKey:
    """An opaque handle on an Ed25519 private key; only ``sign`` uses it."""

    __slots__ = ("_private", "key_id", "public_b64")

    def __init__(self, private: Ed25519PrivateKey) -> None:
        self._private = private
        raw_public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.public_b64 = base64.b64encode(raw_public).decode("ascii")
        self.key_id = key_id_of(self.public_b64)

    def sign(self, message: bytes) -> bytes:
        return self._private.sign(message)

    def __repr__(self) -> str:
        return f"<SigningKey id={self.key_id} material=***>"

    __str__ = __repr__

    def __reduce__(self) -> NoReturn:
        raise TypeError("signing keys cannot be pickled")

    def __reduce_ex__(self, protocol: object) -> NoReturn:
        raise TypeError("signing keys cannot be pickled")

    def __copy__(self) -> NoReturn:
        raise TypeError("signing keys cannot be copied")

    def __deepcopy__(self, memo: object) -> NoReturn:
        raise TypeError("signing keys cannot be copied")


def signing_key_ensure(*, data_dir: Path) -> bool:
    """Create the signing key pair unless it exists; returns True if it was created.

    O_EXCL: two concurrent first runs cannot overwrite each other's key (which would
    orphan every checkpoint signed by the loser).
    """
    path = signing_key_path(data_dir)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        _public_write(data_dir, signing_key_load(data_dir=data_dir).public_b64)
        return False
    private = Ed25519PrivateKey.generate()
    seed = private.private_bytes_raw()
    with os.fdopen(fd, "w") as handle:
        handle.write(base64.b64encode(seed).decode("ascii") + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    _public_write(data_dir, SigningKey(private).public_b64)
    return True


def signing_key_load(*, data_dir: Path) -> SigningKey:
    """The private key; raises KeyConfigError (one line, with the fix) if absent or unsafe."""
    path = signing_key_path(data_dir)
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
        text = path.read_text(encoding="ascii")
    except FileNotFoundError:
        raise KeyConfigError(
            f"no audit signing key at {path}: run `strongroom init`"
        ) from None
    except (OSError, UnicodeDecodeError):
        raise KeyConfigError(f"cannot read the audit signing key {path}") from None
    if os.name == "posix" and mode & 0o077:
        raise KeyConfigError(f"{path} is readable by other users: run `chmod 600 {path}`")
    try:
        seed = base64.b64decode(text.strip(), validate=True)
        return SigningKey(Ed25519PrivateKey.from_private_bytes(seed))
    except (binascii.Error, ValueError):
        raise KeyConfigError(f"{path} does not hold an Ed25519 key") from None


def signing_key_exists(*, data_dir: Path) -> bool:
    return signing_key_path(data_dir).exists()


def public_key_load(*, data_dir: Path) -> str:
    """The exported public key (base64 of 32 raw bytes) for verifiers."""
    path = public_key_path(data_dir)
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return signing_key_load(data_dir=data_dir).public_b64
    except (OSError, UnicodeDecodeError):
        raise KeyConfigError(f"cannot read the audit public key {path}") from None


def signature_valid(*, public_b64: str, message: bytes, signature: bytes) -> bool:
    """True only for a valid Ed25519 signature; any malformed input is simply False."""
    try:
        public = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_b64, validate=True))
        public.verify(signature, message)
    except (InvalidSignature, ValueError, binascii.Error, TypeError):
        return False
    return True


def _public_write(data_dir: Path, public_b64: str) -> None:
    path = public_key_path(data_dir)
    if path.exists() and path.read_text(encoding="ascii").strip() == public_b64:
        return
    tmp = path.with_suffix(".pub.tmp")
    tmp.write_text(public_b64 + "\n", encoding="ascii")
    tmp.chmod(0o644)
    os.replace(tmp, path)

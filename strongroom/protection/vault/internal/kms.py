"""Key-encryption-key service (KMS) interface and the local implementation.

The interface is shaped for a remote KMS (HashiCorp Vault transit, AWS/GCP KMS):
every call takes a *batch*, because each call may be a network round trip of
milliseconds, and a 50-row page or a 100,000-key rewrap must not pay it per key.
Unwrapped data keys are cached above this layer (see ``keystore``), bounded in
size and age, so a remote KMS sees one call per page at most.

Invariant: the KEK never leaves the KMS and is never stored in the database;
the database holds only wrapped data keys, so a dump alone decrypts nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from strongroom.protection.vault.errors import KeyConfigError
from strongroom.protection.vault.internal import keyfiles, keymaterial
from strongroom.protection.vault.internal.keymaterial import Key, KeyMaterialError

_WRAP_DOMAIN = b"strongroom.vault.wrap.v1\x00"


@dataclass(frozen=True, slots=True)
class Wrapped:
    kek_version: int
    blob: bytes


class KMS(Protocol):
    source: str

    def versions(self) -> tuple[int, ...]: ...
    def primary_version(self) -> int: ...
    def wrap_many(self, keys: Sequence[Key], aads: Sequence[bytes]) -> list[Wrapped]: ...
    def unwrap_many(self, items: Sequence[tuple[Wrapped, bytes]]) -> list[Key | None]:
        """One Key per item, or None where unwrapping failed (no reason given)."""
        ...

    def version_create(self) -> int: ...
    def version_destroy(self, version: int) -> None: ...


def _parse_env(value: str) -> dict[int, Key]:
    """``base64`` (version 1) or ``3:base64,2:base64`` (several versions)."""
    keys: dict[int, Key] = {}
    try:
        for part in (p.strip() for p in value.split(",") if p.strip()):
            version, _, b64 = part.rpartition(":")
            keys[int(version) if version else 1] = keymaterial.key_from_b64(b64)
    except (ValueError, KeyMaterialError):
        raise KeyConfigError(
            "STRONGROOM_KEK is not valid: use the base64 of 32 random bytes "
            "(`python -c 'import os,base64;print(base64.b64encode(os.urandom(32)).decode())'`)"
        ) from None
    if not keys or min(keys) < 1:
        raise KeyConfigError("STRONGROOM_KEK is empty or has a version below 1")
    return keys


class LocalKMS:
    """KEKs from ``STRONGROOM_KEK`` (if set) or from key files in the data dir."""

    def __init__(self, *, data_dir: Path, env_value: str | None) -> None:
        self.data_dir = Path(data_dir)
        self.source = "env" if env_value else "file"
        self._lock = threading.Lock()
        self._keys: dict[int, Key] = _parse_env(env_value) if env_value else {}
        if self.source == "file":
            self._reload()

    def __repr__(self) -> str:
        return f"<LocalKMS source={self.source} versions={self.versions()}>"

    def __reduce__(self) -> None:  # type: ignore[override]
        raise TypeError("a KMS cannot be pickled")

    def _reload(self) -> None:
        """Re-read key files: another process may have rotated or retired a version."""
        unsafe = keyfiles.unsafe_key_paths(self.data_dir)
        if unsafe:
            raise KeyConfigError(
                f"{unsafe[0]} is readable by other users: run `chmod go-rwx {unsafe[0]}`"
            )
        keys: dict[int, Key] = {}
        for version, path in keyfiles.kek_versions_on_disk(self.data_dir).items():
            try:
                keys[version] = self._keys.get(version) or keymaterial.key_file_read(path)
            except KeyMaterialError:
                raise KeyConfigError(f"{path} does not hold a valid key") from None
        with self._lock:
            self._keys = keys

    def versions(self) -> tuple[int, ...]:
        return tuple(sorted(self._keys))

    def primary_version(self) -> int:
        if not self._keys:
            raise KeyConfigError(
                f"no key-encryption key in {keyfiles.keys_dir(self.data_dir)}: "
                "run `strongroom keys init` or set STRONGROOM_KEK"
            )
        return max(self._keys)

    def wrap_many(self, keys: Sequence[Key], aads: Sequence[bytes]) -> list[Wrapped]:
        if self.source == "file":
            self._reload()  # never wrap under a version another process has retired
        version = self.primary_version()
        kek = self._keys[version]
        vbytes = version.to_bytes(4, "big")
        return [
            Wrapped(version, keymaterial.key_wrap(kek, key, _WRAP_DOMAIN + vbytes + aad))
            for key, aad in zip(keys, aads, strict=True)
        ]

    def unwrap_many(self, items: Sequence[tuple[Wrapped, bytes]]) -> list[Key | None]:
        if self.source == "file" and any(w.kek_version not in self._keys for w, _ in items):
            self._reload()
        out: list[Key | None] = []
        for wrapped, aad in items:
            kek = self._keys.get(wrapped.kek_version)
            aad_full = _WRAP_DOMAIN + wrapped.kek_version.to_bytes(4, "big") + aad
            try:
                out.append(
                    None if kek is None else keymaterial.key_unwrap(kek, wrapped.blob, aad_full)
                )
            except KeyMaterialError:
                out.append(None)
        return out

    def version_create(self) -> int:
        if self.source == "env":
            raise KeyConfigError(
                "the KEK comes from STRONGROOM_KEK: add the new key as "
                "STRONGROOM_KEK='<n>:<base64>,<old>:<base64>' and run `strongroom keys rotate`"
            )
        keyfiles.keys_dir_create(self.data_dir)
        self._reload()
        version = max(self._keys, default=0) + 1
        keymaterial.key_file_create(keyfiles.kek_path(self.data_dir, version))
        self._reload()
        return version

    def version_destroy(self, version: int) -> None:
        if self.source == "env":
            raise KeyConfigError(
                f"the KEK comes from STRONGROOM_KEK: remove version {version} from it instead"
            )
        keyfiles.kek_path(self.data_dir, version).unlink(missing_ok=True)
        self._reload()


def kek_ensure(*, data_dir: Path, env_value: str | None) -> tuple[str, int, bool]:
    """Create the first KEK file unless a KEK exists; needs no Django settings.

    For ``strongroom init`` (which runs before settings can load) and the test plugin.
    Returns (source, primary version, created). Raises KeyConfigError for an invalid
    STRONGROOM_KEK or key files readable by other users.
    """
    kms = LocalKMS(data_dir=data_dir, env_value=env_value)
    if kms.versions():
        return kms.source, kms.primary_version(), False
    return kms.source, kms.version_create(), True

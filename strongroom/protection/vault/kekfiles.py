"""The key-encryption key's files, for the callers outside the vault: ``strongroom init``
creates the first KEK (before Django is set up: no settings, no models here) and the
self-audit dates the primary one. The key material itself never leaves the vault's
``internal/``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from strongroom.protection.vault.errors import KeyConfigError
from strongroom.protection.vault.internal import keyfiles
from strongroom.protection.vault.internal.kms import kek_ensure


@dataclass(frozen=True)
class KekReady:
    source: str  # "env" (STRONGROOM_KEK) or "file"
    version: int  # the primary version
    created: bool
    path: Path  # where a file KEK lives (for "env", where one would)


def kek_path(data_dir: Path | str, version: int) -> Path:
    return keyfiles.kek_path(Path(data_dir), version)


def kek_first_ensure(*, data_dir: Path, env_value: str | None) -> KekReady:
    """Create the first KEK file unless a KEK exists (idempotent). Raises KeyConfigError
    for an invalid STRONGROOM_KEK, key files readable by other users, or a key directory
    that cannot be created."""
    try:
        source, version, created = kek_ensure(data_dir=data_dir, env_value=env_value)
    except OSError as exc:
        raise KeyConfigError(
            f"cannot create {keyfiles.keys_dir(data_dir)} ({exc.strerror})") from None
    return KekReady(source, version, created, kek_path(data_dir, version))

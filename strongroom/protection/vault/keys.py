"""The vault's key-encryption key on disk, for ``strongroom init``.

Needs no Django settings (``init`` runs before they can load): the public face of the
key files and the local KMS (``internal/keyfiles.py``, ``internal/kms.py``) for the
command line, which must not reach into them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from strongroom.protection.vault.errors import KeyConfigError
from strongroom.protection.vault.internal import keyfiles, kms


@dataclass(frozen=True)
class KekReport:
    source: str  # "env" (STRONGROOM_KEK) or "file"
    version: int  # the primary version
    created: bool
    path: Path | None  # the key file; None when STRONGROOM_KEK supplies the key


def kek_ensure(*, data_dir: Path, env_value: str | None) -> KekReport:
    """Create the first KEK file unless a KEK exists. Raises KeyConfigError (one line)
    for an invalid STRONGROOM_KEK, key files readable by other users, or a keys
    directory that cannot be created."""
    try:
        source, version, created = kms.kek_ensure(data_dir=data_dir, env_value=env_value)
    except OSError as exc:
        raise KeyConfigError(
            f"cannot create {keyfiles.keys_dir(data_dir)} ({exc.strerror})"
        ) from None
    path = None if source == "env" else keyfiles.kek_path(data_dir, version)
    return KekReport(source=source, version=version, created=created, path=path)

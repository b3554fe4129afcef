"""Where local key-encryption keys live on disk, and whether that place is safe.

Layout: ``<data_dir>/keys/kek-<version>.key`` (one base64 line, mode 0600) in a
0700 directory. One file per version: creating a version never rewrites a file
that holds another key, so a crash mid-rotation cannot lose a key.

Threat: a key file readable by other local users (a web shell under another
account, a backup agent, a shared host) hands them the KEK; together with a
database dump that is all data. Such files make the vault refuse to work.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

_KEK_NAME = re.compile(r"^kek-([1-9][0-9]{0,8})\.key$")


def keys_dir(data_dir: Path) -> Path:
    return Path(data_dir) / "keys"


def kek_path(data_dir: Path, version: int) -> Path:
    return keys_dir(data_dir) / f"kek-{version}.key"


def kek_versions_on_disk(data_dir: Path) -> dict[int, Path]:
    directory = keys_dir(data_dir)
    found: dict[int, Path] = {}
    try:
        entries = list(os.scandir(directory))
    except FileNotFoundError:
        return found
    for entry in entries:
        match = _KEK_NAME.match(entry.name)
        if match:
            found[int(match.group(1))] = Path(entry.path)
    return found


def unsafe_key_paths(data_dir: Path) -> list[Path]:
    """Key files (and the key directory) that group or others can access."""
    if os.name != "posix":  # pragma: no cover - POSIX modes only
        return []
    directory = keys_dir(data_dir)
    paths = [directory] if directory.exists() else []
    paths += sorted(kek_versions_on_disk(data_dir).values())
    return [p for p in paths if stat.S_IMODE(p.stat().st_mode) & 0o077]


def keys_dir_create(data_dir: Path) -> Path:
    directory = keys_dir(data_dir)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    return directory

"""The Django secret key: read from the environment or a 0600 file, never weak in
production; earlier keys kept as fallbacks during a rotation."""

from __future__ import annotations

import datetime as dt
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from strongroom.config.parse import ConfigError, csv

SECRET_KEY_FILE = "secret_key"  # noqa: S105 - a file name, not a secret
# Keys retired by a routine rotation, each with the time it stops being accepted (0600).
SECRET_KEY_FALLBACKS_FILE = "secret_key_fallbacks"  # noqa: S105 - a file name
MIN_SECRET_KEY_LENGTH = 50
MIN_SECRET_KEY_CHARS = 5


def secret_key_is_weak(key: str) -> bool:
    """Django's own deploy-check rule (security.W009): long and varied enough."""
    return (
        len(key) < MIN_SECRET_KEY_LENGTH
        or len(set(key)) < MIN_SECRET_KEY_CHARS
        or key.startswith("django-insecure-")
    )


def secret_key_create(data_dir: Path) -> Path:
    """Write a fresh secret key file (mode 0600) unless one exists; return its path."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / SECRET_KEY_FILE
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(64))
    return path


def secret_key_read(env: dict[str, str], data_dir: Path, debug: bool) -> str:
    key = env.get("STRONGROOM_SECRET_KEY", "").strip()
    source = "STRONGROOM_SECRET_KEY"
    if not key:
        path = data_dir / SECRET_KEY_FILE
        if path.exists():
            if path.stat().st_mode & 0o077:
                raise ConfigError(
                    f"{path} is readable by other users: run `chmod 600 {path}`"
                )
            key = path.read_text().strip()
            source = str(path)
    if not key:
        if debug:
            # Development only: a throwaway key, so sessions die with the process.
            return secrets.token_urlsafe(64)
        raise ConfigError(
            "no secret key: set STRONGROOM_SECRET_KEY or run `strongroom init` "
            f"to create {data_dir / SECRET_KEY_FILE}"
        )
    if secret_key_is_weak(key) and not debug:
        raise ConfigError(
            f"the secret key from {source} is weak: use at least {MIN_SECRET_KEY_LENGTH} "
            "random characters (`strongroom init` creates one)"
        )
    return key


def secret_key_fallbacks(env: dict[str, str], current: str, debug: bool,
                         data_dir: Path | None = None,
                         now: dt.datetime | None = None) -> list[str]:
    """Earlier keys, newest first, kept for a while after a rotation so that signed-in
    people stay signed in and emailed links keep working: the ones the operator lists in
    STRONGROOM_SECRET_KEY_FALLBACKS, then the unexpired ones of the data directory's
    fallbacks file (written by a routine rotation from the incident page)."""
    keys = csv(env.get("STRONGROOM_SECRET_KEY_FALLBACKS", ""))
    for number, key in enumerate(keys, start=1):
        if key == current:
            raise ConfigError(f"STRONGROOM_SECRET_KEY_FALLBACKS entry {number} is the current "
                              "secret key: list only the earlier ones")
        if secret_key_is_weak(key) and not debug:
            raise ConfigError(f"STRONGROOM_SECRET_KEY_FALLBACKS entry {number} is weak: old "
                              f"keys need {MIN_SECRET_KEY_LENGTH}+ random characters too")
    if data_dir is not None:
        for entry in fallbacks_file_read(data_dir):
            # The current key in the file: a rotation stopped between its two writes.
            if entry.until > (now or _now()) and entry.key != current and entry.key not in keys:
                keys.append(entry.key)
    return keys


@dataclass(frozen=True)
class Fallback:
    """One retired key of the fallbacks file: accepted (never used to sign) until
    ``until``. The key is masked in repr: an entry may end up in a log line."""

    retired_at: dt.datetime
    until: dt.datetime
    key: str = field(repr=False)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def fallbacks_file_read(data_dir: Path) -> list[Fallback]:
    """The data directory's fallbacks file (absent: none), newest first as written. Its
    keys still verify sessions and links, so it must be as private as the key itself."""
    path = data_dir / SECRET_KEY_FALLBACKS_FILE
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return []
    if mode & 0o077:
        raise ConfigError(f"{path} is readable by other users: run `chmod 600 {path}`")
    out = []
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split()
        try:
            retired, until = (dt.datetime.fromisoformat(p) for p in parts[:2])
            if len(parts) != 3 or retired.tzinfo is None or until.tzinfo is None:
                raise ValueError
        except ValueError:
            raise ConfigError(f"{path} line {number} is not 'RETIRED UNTIL KEY' (two ISO "
                              "times with a zone, then the key): fix or delete the line"
                              ) from None
        if secret_key_is_weak(parts[2]):
            raise ConfigError(f"{path} line {number} holds a weak key: delete the line")
        out.append(Fallback(retired, until, parts[2]))
    return out


def fallbacks_file_text(entries: list[Fallback]) -> str:
    lines = ["# Earlier secret keys, newest first: RETIRED UNTIL KEY (see strongroom.config)"]
    lines += [f"{e.retired_at.isoformat()} {e.until.isoformat()} {e.key}" for e in entries]
    return "\n".join(lines) + "\n"

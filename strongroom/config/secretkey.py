"""The Django secret key: read from the environment or a 0600 file, never weak in
production; earlier keys kept as fallbacks during a rotation."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from strongroom.config.parse import ConfigError, csv

SECRET_KEY_FILE = "secret_key"  # noqa: S105 - a file name, not a secret
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


def secret_key_fallbacks(env: dict[str, str], current: str, debug: bool) -> list[str]:
    """Earlier keys, newest first, kept for a while after a rotation so that signed-in
    people stay signed in and emailed links keep working; remove them when those expire."""
    keys = csv(env.get("STRONGROOM_SECRET_KEY_FALLBACKS", ""))
    for number, key in enumerate(keys, start=1):
        if key == current:
            raise ConfigError(f"STRONGROOM_SECRET_KEY_FALLBACKS entry {number} is the current "
                              "secret key: list only the earlier ones")
        if secret_key_is_weak(key) and not debug:
            raise ConfigError(f"STRONGROOM_SECRET_KEY_FALLBACKS entry {number} is weak: old "
                              f"keys need {MIN_SECRET_KEY_LENGTH}+ random characters too")
    return keys


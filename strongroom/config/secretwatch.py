"""Every app process picks up a rotated secret key by itself: before each request and
each background job the data directory's key file and fallbacks file are looked at
(two ``stat`` calls), and read again when either changed or a fallback's time ran out.

Threat: after a leaked key is rotated, a process still signing and accepting the old
key keeps the thief's forged sessions and links alive until someone restarts it; after
a routine rotation, a process that still signs with the old key hands out links that
die when the fallback is dropped. Only a key that came from the file is watched (a key
set by STRONGROOM_SECRET_KEY changes with a restart). A file that cannot be used (made
readable by others, a malformed line) is refused with an error in the log and the keys
in use are kept: it never turns into a weaker key.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from pathlib import Path
from typing import Any

from strongroom.config.parse import ConfigError
from strongroom.config.secretkey import (
    SECRET_KEY_FALLBACKS_FILE,
    SECRET_KEY_FILE,
    fallbacks_file_read,
    secret_key_fallbacks,
    secret_key_read,
)

logger = logging.getLogger("strongroom.config")
RETRY = dt.timedelta(minutes=1)  # a refused file is read again after this long
_NEVER = dt.datetime.max.replace(tzinfo=dt.UTC)
_lock = threading.Lock()
_seen: tuple[tuple[Any, ...], dt.datetime] | None = None  # (files' stamp, next expiry)


def _stamp(data_dir: Path) -> tuple[Any, ...]:
    out: list[Any] = []
    for name in (SECRET_KEY_FILE, SECRET_KEY_FALLBACKS_FILE):
        try:
            st = (data_dir / name).stat()
        except FileNotFoundError:
            out.append(None)
        else:
            out.append((st.st_ino, st.st_mtime_ns, st.st_size, st.st_mode))
    return tuple(out)


def secret_keys_refresh(*, now: dt.datetime | None = None, **_: Any) -> bool:
    """Load the file's key and fallbacks into Django's settings if they changed since
    this process last looked (or a fallback expired); True when the keys in use changed.
    Also a ``request_started`` receiver."""
    from django.conf import settings

    global _seen
    if not getattr(settings, "STRONGROOM_SECRET_KEY_FROM_FILE", False):
        return False
    now = now or dt.datetime.now(dt.UTC)
    data_dir = Path(settings.STRONGROOM_DATA_DIR)
    stamp = _stamp(data_dir)
    if _seen is not None and _seen[0] == stamp and now < _seen[1]:
        return False
    with _lock:
        try:
            key = secret_key_read({}, data_dir, debug=False)
            fallbacks = secret_key_fallbacks(settings.CONFIG.extra, key, False, data_dir, now)
            expiries = [e.until for e in fallbacks_file_read(data_dir) if e.until > now]
        except (ConfigError, OSError) as exc:
            logger.error("secret key not reloaded, the keys in use are kept: %s", exc)
            _seen = (stamp, now + RETRY)
            return False
        changed = key != settings.SECRET_KEY or fallbacks != list(settings.SECRET_KEY_FALLBACKS)
        if changed:
            settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = key, fallbacks
            logger.info("secret key reloaded from %s (%d fallbacks)", data_dir, len(fallbacks))
        _seen = (stamp, min(expiries, default=_NEVER))
    return changed


def secret_keys_watch_reset() -> None:
    """Forget what was seen (tests; a process that switched data directories)."""
    global _seen
    _seen = None

"""When the shared cache (Redis) is down, the store keeps selling and keeps its limits.

Invariant: an outage of Redis must become neither an outage of the store (every catalog
page and every sign-in a 500) nor an opening (a security counter that silently stops
counting). So, wherever Redis is used:

* read-through caches (catalog listings, product pages, navigation) treat an error as a
  miss and read the database;
* security counters fall back to a count in the database: sign-in throttling to the
  database store (``accounts.internal.store``), the staff reveal limit to the audit log
  (``access.ratelimit``). Counts made in Redis before the outage are not seen by the
  fallback, so an attacker gains at most one fresh budget per outage, never an unlimited one;
* after a failure Redis is left alone for ``BREAK_SECONDS`` (each call to an unreachable
  host would otherwise wait for its connect timeout), and the outage is logged once per
  break, as a warning on the ``strongroom.security`` logger.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from redis.exceptions import RedisError

SHARED_CACHE_ERRORS: tuple[type[BaseException], ...] = (RedisError,)
BREAK_SECONDS = 30.0

logger = logging.getLogger("strongroom.security")
_lock = threading.Lock()
_down_until = 0.0


def shared_cache_down(*, now: float | None = None) -> bool:
    """True while a recent failure says not to try Redis yet."""
    return (time.monotonic() if now is None else now) < _down_until


def shared_cache_failed(exc: BaseException, *, where: str, now: float | None = None) -> None:
    """Record a failed call (``where``: what fell back) and open the break."""
    global _down_until
    now = time.monotonic() if now is None else now
    with _lock:
        first = now >= _down_until
        _down_until = now + BREAK_SECONDS
    if first:
        logger.warning("shared cache (Redis) unavailable (%s: %s); %s falls back to the "
                       "database for %d s", type(exc).__name__, exc, where, BREAK_SECONDS)


def shared_cache_reset() -> None:
    """Close the break (tests; Redis known to be back)."""
    global _down_until
    with _lock:
        _down_until = 0.0


# --- calling Redis with a fallback ------------------------------------------------------------

T = TypeVar("T")


def shared_cache_or(where: str, call: Callable[[], T], fallback: Callable[[], T]) -> T:
    """``call()``, or ``fallback()`` while Redis is unavailable or when ``call`` finds it so
    (``where`` names what falls back, for the one warning per outage)."""
    if shared_cache_down():
        return fallback()
    try:
        return call()
    except SHARED_CACHE_ERRORS as exc:
        shared_cache_failed(exc, where=where)
        return fallback()


# --- read-through caching: an error is a miss ----------------------------------------------

_CACHING = "read-through caching"


def cache_get(key: str, default: object = None) -> object:
    """``cache.get``, or ``default`` while the shared cache is unavailable."""
    return shared_cache_or(_CACHING, lambda: cache.get(key, default), lambda: default)


def cache_set(key: str, value: object, timeout: float | None) -> None:
    shared_cache_or(_CACHING, lambda: cache.set(key, value, timeout), lambda: None)


def cache_delete(key: str) -> None:
    """Best effort: entries written before an outage expire by their own timeout."""
    shared_cache_or(_CACHING, lambda: cache.delete(key), lambda: None)

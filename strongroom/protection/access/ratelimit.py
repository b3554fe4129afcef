"""Reveal rate limit per staff member: a fixed window counter in the cache (Redis when
configured, so every app process shares it; a process-local cache otherwise).

Mass access is what a compromised or curious staff account looks like from the inside:
a few reveals an hour are support work, hundreds are a download. The limit stops the
download and raises the alarm once per window (the caller records it).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

LIMIT_DEFAULT = 30  # reveals per window
WINDOW_DEFAULT = 3600  # seconds


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    count: int
    limit: int
    first_refusal: bool  # the first refusal in this window: time to alert


def _limits() -> tuple[int, int]:
    return (int(getattr(settings, "STRONGROOM_REVEAL_LIMIT", LIMIT_DEFAULT)),
            int(getattr(settings, "STRONGROOM_REVEAL_WINDOW", WINDOW_DEFAULT)))


def reveal_take(*, staff_id: str, now: float | None = None) -> Verdict:
    """Count one reveal attempt by ``staff_id`` and say whether it is within the limit."""
    limit, window = _limits()
    slot = int((time.time() if now is None else now) // window)
    key = f"access:reveal:{staff_id}:{slot}"
    cache.add(key, 0, timeout=window + 60)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=window + 60)
        count = 1
    if count <= limit:
        return Verdict(True, count, limit, False)
    first = cache.add(f"access:reveal-alert:{staff_id}:{slot}", 1, timeout=window + 60)
    return Verdict(False, count, limit, bool(first))


def reveal_reset(*, staff_id: str, now: float | None = None) -> None:
    """Forget the current window's count (tests; an owner clearing a false alarm)."""
    limit, window = _limits()
    slot = int((time.time() if now is None else now) // window)
    cache.delete_many([f"access:reveal:{staff_id}:{slot}",
                       f"access:reveal-alert:{staff_id}:{slot}"])

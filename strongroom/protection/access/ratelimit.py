"""Reveal rate limit per staff member, per fixed window, counted where every app process
sees the same number: in the shared cache (Redis) when one is configured; otherwise the
audit log itself is the counter (FIELD_REVEALED events by this staff member in the
window, one indexed COUNT), because a process-local cache would let each worker allow
the full limit. While Redis is down the audit log counts too (``strongroom.sharedcache``):
the limit fails closed, never open.

Mass access is what a compromised or curious staff account looks like from the inside:
a few reveals an hour are support work, hundreds are a download. The limit stops the
download and raises the alarm once per window (the caller records it). Stopping at the
limit must not be a way to stay silent: the reveal that brings the window's count to
``STRONGROOM_REVEAL_ALERT_AT`` (the limit unless set lower) raises the mass-access alert
too (``Verdict.mass_access``, once per window with the cache counter; the alert's dedupe
key counts a repeat from the audit-log counter's race instead of raising it twice).
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from strongroom.protection.audit.events import AuditEvent
from strongroom.protection.audit.selectors import audit_search
from strongroom.sharedcache import shared_cache_or

_WHERE = "the staff reveal limit"

LIMIT_DEFAULT = 30  # reveals per window
WINDOW_DEFAULT = 3600  # seconds


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    count: int
    limit: int
    first_refusal: bool  # the first refusal in this window: time to alert
    mass_access: bool = False  # allowed, and the window's count reached the alert threshold


def _limits() -> tuple[int, int]:
    return (int(getattr(settings, "STRONGROOM_REVEAL_LIMIT", LIMIT_DEFAULT)),
            int(getattr(settings, "STRONGROOM_REVEAL_WINDOW", WINDOW_DEFAULT)))


def alert_threshold(limit: int) -> int:
    """Reveals in a window that raise the mass-access alert: STRONGROOM_REVEAL_ALERT_AT,
    never above the limit (the last allowed reveal alerts at the latest) nor below 1."""
    wanted = int(getattr(settings, "STRONGROOM_REVEAL_ALERT_AT", limit) or limit)
    return max(1, min(wanted, limit))


def _allowed(count: int, limit: int) -> Verdict:
    return Verdict(True, count, limit, False, mass_access=count == alert_threshold(limit))


def _shared_cache() -> bool:
    mode = getattr(settings, "STRONGROOM_REVEAL_COUNTER", "auto")
    if mode != "auto":
        return mode == "cache"
    backend = settings.CACHES.get("default", {}).get("BACKEND", "").lower()
    return "locmem" not in backend and "dummy" not in backend


def reveal_take(*, staff_id: str, now: float | None = None) -> Verdict:
    """Count one reveal attempt by ``staff_id`` and say whether it is within the limit."""
    limit, window = _limits()
    now = time.time() if now is None else now
    slot = int(now // window)
    def from_audit_log() -> Verdict:
        return _from_audit_log(staff_id, slot * window, limit)

    if not _shared_cache():
        return from_audit_log()
    return shared_cache_or(_WHERE, lambda: _from_cache(staff_id, slot, window, limit),
                           from_audit_log)


def _from_cache(staff_id: str, slot: int, window: int, limit: int) -> Verdict:
    key = f"access:reveal:{staff_id}:{slot}"
    cache.add(key, 0, timeout=window + 60)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=window + 60)
        count = 1
    if count <= limit:
        return _allowed(count, limit)
    first = cache.add(f"access:reveal-alert:{staff_id}:{slot}", 1, timeout=window + 60)
    return Verdict(False, count, limit, bool(first))


def reveal_reset(*, staff_id: str, now: float | None = None) -> None:
    """Forget the current window's count (tests; an owner clearing a false alarm)."""
    limit, window = _limits()
    slot = int((time.time() if now is None else now) // window)
    shared_cache_or(_WHERE, lambda: cache.delete_many([
        f"access:reveal:{staff_id}:{slot}", f"access:reveal-alert:{staff_id}:{slot}"]),
        lambda: None)


def _from_audit_log(staff_id: str, start: float, limit: int) -> Verdict:
    since = dt.datetime.fromtimestamp(start, tz=dt.UTC)
    done = audit_search(actor_id=staff_id, events=AuditEvent.FIELD_REVEALED,
                        since=since).count()
    if done < limit:
        return _allowed(done + 1, limit)
    alerted = audit_search(actor_id=staff_id, events=AuditEvent.REVEAL_RATE_LIMITED,
                           since=since).exists()
    return Verdict(False, done + 1, limit, not alerted)

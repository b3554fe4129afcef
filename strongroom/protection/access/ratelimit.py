"""Reveal rate limit per staff member over a sliding window (the last hour by default),
counted where every app process sees the same number: in the shared cache (Redis) when
one is configured; otherwise the audit log itself is the counter (FIELD_REVEALED events by
this staff member in the last window, one indexed COUNT), because a process-local cache
would let each worker allow the full limit. While Redis is down the audit log counts too
(``strongroom.sharedcache``): the limit fails closed, never open.

The window slides: a fixed hourly window would let an account make the limit's worth of
reveals in the last minute of one hour and again in the first minute of the next, almost
twice the limit in two minutes, without a refusal or an alert. In the cache the window is
kept as buckets (a sixtieth of the window each) and summed over the whole window plus
the current bucket, so the count errs on the strict side by at most one bucket's time:
never more than the limit in any window's length. Refused attempts are not counted (the
audit log does not count them either), so trying again does not prolong a pause.

Mass access is what a compromised or curious staff account looks like from the inside:
a few reveals an hour are support work, hundreds are a download. The limit stops the
download and raises the alarm once per window (the caller records it). Stopping at the
limit must not be a way to stay silent: the reveal that brings the window's count to
``STRONGROOM_REVEAL_ALERT_AT`` (the limit unless set lower) raises the mass-access alert
too (``Verdict.mass_access``; an account that keeps revealing at that rate reaches it
again as older reveals leave the window, and the alert's dedupe key counts the repeats).
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


BUCKETS = 60  # per window, in the cache counter


def _bucket_len(window: int) -> int:
    return max(1, window // BUCKETS)


def _bucket_keys(staff_id: str, now: float, window: int) -> list[str]:
    """The current bucket's key first, then the older ones the window reaches into."""
    length = _bucket_len(window)
    current = int(now // length)
    reach = -(-window // length)  # ceil: the whole window, plus the current bucket
    return [f"access:reveal:{staff_id}:{length}:{current - i}" for i in range(reach + 1)]


def reveal_take(*, staff_id: str, now: float | None = None) -> Verdict:
    """Count one reveal by ``staff_id`` if it is within the limit, and say whether it is."""
    limit, window = _limits()
    now = time.time() if now is None else now

    def from_audit_log() -> Verdict:
        return _from_audit_log(staff_id, now - window, limit)

    if not _shared_cache():
        return from_audit_log()
    return shared_cache_or(_WHERE, lambda: _from_cache(staff_id, now, window, limit),
                           from_audit_log)


def _from_cache(staff_id: str, now: float, window: int, limit: int) -> Verdict:
    current, *older = _bucket_keys(staff_id, now, window)
    ttl = window + 2 * _bucket_len(window) + 60
    cache.add(current, 0, timeout=ttl)
    try:
        mine = cache.incr(current)
    except ValueError:  # evicted between add and incr
        cache.set(current, 1, timeout=ttl)
        mine = 1
    count = mine + sum(int(v) for v in cache.get_many(older).values())
    if count <= limit:
        return _allowed(count, limit)
    try:
        cache.decr(current)  # refused: not a reveal, so not counted
    except ValueError:  # evicted meanwhile: nothing left to take back
        pass
    first = cache.add(f"access:reveal-alert:{staff_id}", 1, timeout=window)
    return Verdict(False, count, limit, bool(first))


def reveal_reset(*, staff_id: str, now: float | None = None) -> None:
    """Forget the window's count (tests; an owner clearing a false alarm)."""
    _, window = _limits()
    keys = _bucket_keys(staff_id, time.time() if now is None else now, window)
    shared_cache_or(_WHERE, lambda: cache.delete_many(
        [*keys, f"access:reveal-alert:{staff_id}"]), lambda: None)


def _from_audit_log(staff_id: str, start: float, limit: int) -> Verdict:
    since = dt.datetime.fromtimestamp(start, tz=dt.UTC)
    done = audit_search(actor_id=staff_id, events=AuditEvent.FIELD_REVEALED,
                        since=since).count()
    if done < limit:
        return _allowed(done + 1, limit)
    alerted = audit_search(actor_id=staff_id, events=AuditEvent.REVEAL_RATE_LIMITED,
                           since=since).exists()
    return Verdict(False, done + 1, limit, not alerted)

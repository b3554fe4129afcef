"""Where throttle state lives, shared by every app process: the database by default,
Redis when ``STRONGROOM_REDIS_URL`` is set, and the database again while Redis is down
(``strongroom.sharedcache``: sign-in keeps working and keeps being throttled). Both answer
the same questions."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any, Protocol

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from strongroom.protection.accounts.models import ThrottleCounter, ThrottleMember
from strongroom.sharedcache import shared_cache_or


class ThrottleStore(Protocol):
    def incr(self, key: str, ttl: int) -> int: ...
    def block(self, key: str, seconds: int) -> None: ...
    def blocked_for(self, key: str) -> int: ...  # seconds left, 0 when free
    def reset(self, key: str) -> None: ...
    def add_member(self, key: str, member: str, ttl: int) -> int: ...  # distinct count


class DatabaseStore:
    def __init__(self, now=timezone.now) -> None:
        self.now = now

    def incr(self, key: str, ttl: int) -> int:
        now = self.now()
        for _ in range(3):
            with transaction.atomic():
                updated = ThrottleCounter.objects.filter(key=key, expires_at__gt=now).update(
                    count=F("count") + 1)
                if updated:
                    return ThrottleCounter.objects.get(key=key).count
            try:
                with transaction.atomic():
                    ThrottleCounter.objects.filter(key=key, expires_at__lte=now).delete()
                    ThrottleCounter.objects.create(
                        key=key, count=1, expires_at=now + dt.timedelta(seconds=ttl))
                    return 1
            except IntegrityError:
                continue  # another process created it: count on it
        return ThrottleCounter.objects.filter(key=key).values_list("count", flat=True).first() or 1

    def block(self, key: str, seconds: int) -> None:
        until = self.now() + dt.timedelta(seconds=seconds)
        updated = ThrottleCounter.objects.filter(key=key).update(
            blocked_until=until, expires_at=until + dt.timedelta(hours=1))
        if not updated:
            try:
                with transaction.atomic():
                    ThrottleCounter.objects.create(key=key, count=0, blocked_until=until,
                                                   expires_at=until + dt.timedelta(hours=1))
            except IntegrityError:
                ThrottleCounter.objects.filter(key=key).update(blocked_until=until)

    def blocked_for(self, key: str) -> int:
        until = (ThrottleCounter.objects.filter(key=key)
                 .values_list("blocked_until", flat=True).first())
        if until is None:
            return 0
        left = (until - self.now()).total_seconds()
        return max(0, int(left + 0.999))

    def reset(self, key: str) -> None:
        ThrottleCounter.objects.filter(key=key).delete()

    def add_member(self, key: str, member: str, ttl: int) -> int:
        now = self.now()
        ThrottleMember.objects.filter(key=key, expires_at__lte=now).delete()
        try:
            with transaction.atomic():
                ThrottleMember.objects.create(key=key, member=member,
                                              expires_at=now + dt.timedelta(seconds=ttl))
        except IntegrityError:
            pass
        return ThrottleMember.objects.filter(key=key, expires_at__gt=now).count()


class RedisStore:
    def __init__(self, url: str) -> None:
        import redis  # imported here: only a store configured with Redis needs it

        self.redis = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)

    def incr(self, key: str, ttl: int) -> int:
        pipe = self.redis.pipeline()
        pipe.set(key, 0, ex=ttl, nx=True)
        pipe.incr(key)
        return int(pipe.execute()[1])

    def block(self, key: str, seconds: int) -> None:
        self.redis.set(key + ":blocked", 1, ex=max(1, seconds))

    def blocked_for(self, key: str) -> int:
        return max(0, int(self.redis.ttl(key + ":blocked")))

    def reset(self, key: str) -> None:
        self.redis.delete(key, key + ":blocked")

    def add_member(self, key: str, member: str, ttl: int) -> int:
        pipe = self.redis.pipeline()
        pipe.sadd(key, member)
        pipe.expire(key, ttl, nx=True)
        pipe.scard(key)
        return int(pipe.execute()[2])


class FallbackStore:
    """Redis, or the database store while Redis is unavailable (see strongroom.sharedcache).
    Counts made in Redis before an outage are not in the database: an attacker gains at
    most one fresh budget per outage, where failing open would give an unlimited one."""

    def __init__(self, primary: ThrottleStore, fallback: ThrottleStore) -> None:
        self.primary, self.fallback = primary, fallback

    def _call(self, name: str, *args: object) -> Any:
        return shared_cache_or("sign-in throttling",
                               lambda: getattr(self.primary, name)(*args),
                               lambda: getattr(self.fallback, name)(*args))

    def incr(self, key: str, ttl: int) -> int:
        return self._call("incr", key, ttl)

    def block(self, key: str, seconds: int) -> None:
        self._call("block", key, seconds)

    def blocked_for(self, key: str) -> int:
        return self._call("blocked_for", key)

    def reset(self, key: str) -> None:
        self._call("reset", key)

    def add_member(self, key: str, member: str, ttl: int) -> int:
        return self._call("add_member", key, member, ttl)

    @property
    def redis(self) -> Any:
        return self.primary.redis  # type: ignore[attr-defined]


@lru_cache(maxsize=4)
def _redis_store(url: str) -> FallbackStore:
    return FallbackStore(RedisStore(url), DatabaseStore())


def store() -> ThrottleStore:
    url = getattr(settings, "STRONGROOM_REDIS_URL", None)
    return _redis_store(url) if url else DatabaseStore()

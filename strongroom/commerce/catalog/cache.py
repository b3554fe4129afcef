"""A read-through cache for public catalog reads (the API's listings and product pages).

Entries are keyed under a catalog *version*, a random token replaced whenever anything
a listing shows changes: a product, variant or category saved or deleted (signals), or
stock moved by an order (``catalog_changed`` on commit). With Redis configured every
process sees the new version at once; with the per-process default cache another
process may serve a listing up to ``TTL_SECONDS`` old — checkout always re-checks stock,
so a stale "in stock" can never sell what is not there. While Redis is down every read
is built from the database (``strongroom.sharedcache``)."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings

from strongroom.sharedcache import cache_get, cache_set

T = TypeVar("T")
VERSION_KEY = "catalog:version"
TTL_SECONDS = 60


def _version() -> str:
    version = cache_get(VERSION_KEY)
    if version is None:
        version = secrets.token_hex(8)
        cache_set(VERSION_KEY, version, None)
    return str(version)


def catalog_changed() -> None:
    cache_set(VERSION_KEY, secrets.token_hex(8), None)


def catalog_cache_on() -> bool:
    """Off only in the benchmarks' cold-cache server (``bench.settings_cold``)."""
    return getattr(settings, "STRONGROOM_CATALOG_CACHE", True)


def catalog_cached(parts: tuple, build: Callable[[], T]) -> T:
    if not catalog_cache_on():
        return build()
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    key = f"catalog:{_version()}:{digest}"
    value = cache_get(key)
    if value is None:
        value = build()
        cache_set(key, value, TTL_SECONDS)
    return value  # type: ignore[return-value]

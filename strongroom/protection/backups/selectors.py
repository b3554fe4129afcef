"""Disaster recovery reads: maintenance state (cached briefly per process), backups,
copies, drills."""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.db import DatabaseError

from strongroom.protection.backups.models import Backup, Drill, MaintenanceState

CACHE_SECONDS = 2.0  # every process sees a change within this long


@dataclass(frozen=True)
class Maintenance:
    enabled: bool
    message: str = ""
    retry_after: int = 600


_cache: tuple[float, Maintenance] | None = None


def maintenance_state() -> Maintenance:
    """The shared state. If the database cannot be read (a restore switching it), the
    last known state holds."""
    global _cache
    now = time.monotonic()
    if _cache is not None and now - _cache[0] < CACHE_SECONDS:
        return _cache[1]
    try:
        row = MaintenanceState.objects.filter(pk=1).first()
    except DatabaseError:
        return _cache[1] if _cache else Maintenance(False)
    state = Maintenance(row.enabled, row.message, row.retry_after) if row else Maintenance(
        False)
    _cache = (now, state)
    return state


def maintenance_cache_clear() -> None:
    global _cache
    _cache = None


def backups_recent(*, limit: int = 50) -> list[Backup]:
    return list(Backup.objects.prefetch_related("copies").order_by("-started_at")[:limit])


def backup_latest_complete() -> Backup | None:
    return Backup.objects.filter(status=Backup.Status.COMPLETE).order_by("-started_at").first()


def drill_latest(*, passed: bool | None = None) -> Drill | None:
    drills = Drill.objects.order_by("-started_at")
    if passed is not None:
        drills = drills.filter(ok=passed)
    return drills.first()

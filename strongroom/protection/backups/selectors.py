"""Disaster recovery reads: maintenance state (cached briefly per process), backups,
copies, drills."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection

from strongroom.protection.backups.models import Backup, BackupCopy, Drill, MaintenanceState
from strongroom.protection.vault.recovery import recipient_load
from strongroom.protection.vault.signing import key_id_of, public_key_load

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


# --- the console's "Disaster recovery" page and its printable plan -------------------------


@dataclass(frozen=True)
class CopyStatus:
    destination: str
    last_ok: Backup | None
    last_ok_at: object
    last_error: str


@dataclass(frozen=True)
class Bar:
    """Two bars of the chart (size, duration), in SVG units: the baseline is at y=85."""

    x: int
    size_y: int
    size_h: int
    time_x: int
    time_y: int
    time_h: int
    label: str


def recovery_destinations() -> list[CopyStatus]:
    """Last verified copy and last error per configured destination."""
    statuses = []
    for url in settings.STRONGROOM_BACKUPS.destinations:
        dest = url.split("?", 1)[0]
        ok = (BackupCopy.objects.filter(destination=dest, ok=True).select_related("backup")
              .order_by("-backup__started_at").first())
        bad = BackupCopy.objects.filter(destination=dest, ok=False).select_related(
            "backup").order_by("-backup__started_at").first()
        error = bad.error if bad and (ok is None or bad.backup.started_at > ok.backup.started_at
                                      ) else ""
        statuses.append(CopyStatus(dest, ok.backup if ok else None,
                                   ok.verified_at if ok else None, error))
    return statuses


def recovery_chart(*, limit: int = 30, height: int = 80) -> list[Bar]:
    """Size and duration of the last complete backups, scaled for a small SVG chart."""
    rows = list(Backup.objects.filter(status=Backup.Status.COMPLETE)
                .order_by("-started_at")[:limit])[::-1]
    biggest = max((r.bytes for r in rows), default=0) or 1
    longest = max((r.seconds for r in rows), default=0) or 1
    bars = []
    for i, r in enumerate(rows):
        size = max(1, round(r.bytes / biggest * height))
        spent = max(1, round(r.seconds / longest * height))
        bars.append(Bar(i * 12, 85 - size, size, i * 12 + 5, 85 - spent, spent,
                        f"{r.backup_id}: {r.bytes} bytes, {r.seconds:.1f} s"))
    return bars


def recovery_plan() -> dict:
    """The disaster-recovery plan generated from the configuration (no secret in it)."""
    data_dir = Path(settings.STRONGROOM_DATA_DIR)
    try:
        recipient = recipient_load(data_dir=data_dir)
    except Exception:  # shown as missing: the page must render to say so
        recipient = None
    try:
        signing_key_id = key_id_of(public_key_load(data_dir=data_dir))
    except Exception:
        signing_key_id = None
    latest = backup_latest_complete()
    drill = drill_latest(passed=True)
    return {
        "store_name": settings.STRONGROOM_STORE_NAME,
        "engine": connection.vendor,
        "destinations": [u.split("?", 1)[0] for u in settings.STRONGROOM_BACKUPS.destinations],
        "s3_endpoint": settings.STRONGROOM_BACKUPS.s3_endpoint,
        "recipient": recipient,
        "signing_key_id": signing_key_id,
        "kek_external": bool(settings.STRONGROOM_KEK),
        "latest": latest,
        "drill": drill,
        "example_id": latest.backup_id if latest else "<BACKUP ID>",
    }

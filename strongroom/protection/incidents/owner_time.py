"""The owner's time zone, in which the 72-hour deadline is shown (times are stored and
computed in UTC: the deadline is 72 real hours after becoming aware, which across a
daylight-saving change is 71 or 73 hours on the wall clock).

Setting it is for the owner or security officer (the caller checked ``incidents.manage``)
and audited (SETTING_CHANGED).
"""

from __future__ import annotations

import datetime as dt
import time
import zoneinfo
from typing import Any

from django.db import transaction

from strongroom.protection.audit.events import AuditEvent
from strongroom.protection.audit.services import audit_record

from .errors import IncidentError
from .models import ResponseSettings

CACHE_SECONDS = 5.0
_cache: tuple[float, zoneinfo.ZoneInfo] | None = None


def _zone(name: str) -> zoneinfo.ZoneInfo:
    text = str(name or "").strip()
    if not text or text not in zoneinfo.available_timezones():
        raise IncidentError(f"{text[:64]!r} is not a time zone: use a name such as "
                            "Europe/Berlin or America/New_York.")
    return zoneinfo.ZoneInfo(text)


def owner_time_zone() -> zoneinfo.ZoneInfo:
    global _cache
    now = time.monotonic()
    if _cache is not None and now - _cache[0] < CACHE_SECONDS:
        return _cache[1]
    name = ResponseSettings.objects.filter(pk=1).values_list("time_zone", flat=True).first()
    zone = zoneinfo.ZoneInfo(name or "UTC")
    _cache = (now, zone)
    return zone


def owner_time_zone_set(*, name: str, by: Any, request: Any = None) -> zoneinfo.ZoneInfo:
    global _cache
    zone = _zone(name)
    with transaction.atomic():
        row, _ = ResponseSettings.objects.select_for_update().get_or_create(pk=1)
        old = row.time_zone
        if old != zone.key:
            row.time_zone = zone.key
            row.save(update_fields=["time_zone"])
            audit_record(event=AuditEvent.SETTING_CHANGED, actor=by,
                         object=("incidents.responsesettings", "time_zone"),
                         reason=f"owner time zone {old} -> {zone.key}", request=request)
    _cache = None
    return zone


def owner_time(at: dt.datetime) -> str:
    """``at`` on the owner's wall clock with its zone's abbreviation (CET, CEST, EST)."""
    zone = owner_time_zone()
    local = at.astimezone(zone)
    label = local.tzname() or zone.key
    return f"{local:%Y-%m-%d %H:%M} {label}" + ("" if zone.key == "UTC" else f" ({zone.key})")

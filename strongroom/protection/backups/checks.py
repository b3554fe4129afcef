"""Deploy checks (``strongroom check --deploy``) for disaster recovery.

backups.W001 no destination; W002 no recovery key; W003 no complete backup in the last
day; W004 no passed drill in 35 days; W005 every destination on the database's disk (a
failed disk takes the store and its backups with it)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register
from django.db import DatabaseError, connection
from django.utils import timezone

from strongroom.protection.vault.recovery import recipient_load

DRILL_MAX_AGE = dt.timedelta(days=35)
BACKUP_MAX_AGE = dt.timedelta(days=1)


def _device(path: Path) -> int | None:
    for candidate in (path, *path.parents):
        try:
            return os.stat(candidate).st_dev
        except OSError:
            continue
    return None


def _database_device() -> int | None:
    if connection.vendor == "sqlite":
        return _device(Path(connection.settings_dict["NAME"]))
    host = str(connection.settings_dict.get("HOST") or "")
    if host in ("", "localhost", "127.0.0.1", "::1") or host.startswith("/"):
        return _device(Path(settings.STRONGROOM_DATA_DIR))  # same machine: its disk
    return None


@register(Tags.security, deploy=True)
def check_backups(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    from strongroom.protection.backups import selectors  # models need the app registry

    conf = settings.STRONGROOM_BACKUPS
    found: list[Warning] = []
    if not conf.destinations:
        found.append(Warning(
            "No backup destination is configured.",
            hint="Set STRONGROOM_BACKUP_DESTINATIONS (a folder on another disk and an "
                 "s3://bucket/prefix) and schedule `strongroom worker`.", id="backups.W001"))
    try:
        recipient = recipient_load(data_dir=Path(settings.STRONGROOM_DATA_DIR))
    except Exception:  # an unreadable recipient is as good as none here
        recipient = None
    if recipient is None:
        found.append(Warning("No backup recovery key.", hint="Run `strongroom backup init` "
                             "and keep the key it shows off this server.", id="backups.W002"))
    try:
        latest = selectors.backup_latest_complete()
        drill = selectors.drill_latest(passed=True)
    except DatabaseError:
        return found
    now = timezone.now()
    if latest is None or now - latest.started_at > BACKUP_MAX_AGE:
        found.append(Warning("No complete backup in the last day.",
                             hint="Run `strongroom backup run`; check the Disaster recovery "
                                  "page for failing destinations.", id="backups.W003"))
    if drill is None or now - drill.started_at > DRILL_MAX_AGE:
        found.append(Warning("No restore drill has passed in the last 35 days.",
                             hint="Run `strongroom backup drill --recovery-key FILE`.",
                             id="backups.W004"))
    devices = [_device(Path(u[len("file://"):])) if u.startswith("file://") else None
               for u in conf.destinations]
    db_device = _database_device()
    if devices and db_device is not None and all(d == db_device for d in devices):
        found.append(Warning("Every backup destination is on the database's disk.",
                             hint="Add a destination on another disk or an s3:// bucket: "
                                  "one disk failure would take the store and its backups.",
                             id="backups.W005"))
    return found

"""Disaster recovery writes: recovery key, backups, restores, drills, pruning, and
maintenance mode. Callers are commands, scheduled jobs, the console (which checked the
owner's permission) and incident containment (``maintenance_on``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from strongroom.protection.audit.events import Actor, AuditEvent
from strongroom.protection.audit.services import audit_record
from strongroom.protection.backups import selectors
from strongroom.protection.backups.internal import drill as _drill
from strongroom.protection.backups.internal import prune as _prune
from strongroom.protection.backups.internal import recover as _recover
from strongroom.protection.backups.internal import run as _run
from strongroom.protection.backups.internal import verify as _verify
from strongroom.protection.backups.models import MaintenanceState
from strongroom.protection.vault.recovery import recovery_key_create as _recovery_key_create
from strongroom.protection.vault.signing import public_key_load

backup_run = _run.backup_run  # (progress) -> (Backup, destination errors)
backup_restore = _recover.backup_restore
backup_verify = _verify.backup_verify
backup_catalog = _verify.backup_catalog  # reads destinations: I/O, hence not a selector
backup_drill = _drill.backup_drill
backups_prune = _prune.backups_prune


def _actor(by: Any) -> Actor:
    return by if isinstance(by, Actor) else (Actor.of_user(by) if by is not None
                                             else Actor.system("maintenance"))


def maintenance_on(*, message: str, by: Any = None, retry_after: int = 600) -> None:
    """Pause the store for shoppers and API clients (503 with ``message`` and
    ``Retry-After``); the console and payment webhooks keep working. The caller
    checked that ``by`` may do this (owner, or incident containment)."""
    _maintenance_set(enabled=True, message=" ".join(message.split())[:500], by=by,
                     retry_after=max(60, min(int(retry_after), 86400)))


def maintenance_off(*, by: Any = None) -> None:
    _maintenance_set(enabled=False, message="", by=by, retry_after=600)


def _maintenance_set(*, enabled: bool, message: str, by: Any, retry_after: int) -> None:
    actor = _actor(by)
    with transaction.atomic():
        state, _ = MaintenanceState.objects.select_for_update().get_or_create(pk=1)
        state.enabled, state.message, state.retry_after = enabled, message, retry_after
        state.changed_at = timezone.now()
        state.changed_by = f"{actor.type.label}:{actor.id}"[:100]
        state.save()
        audit_record(event=AuditEvent.MAINTENANCE_MODE_CHANGED, actor=actor,
                     object=("backups.maintenance", "on" if enabled else "off"),
                     reason=message[:200])
    selectors.maintenance_cache_clear()


def recovery_key_init(*, replace: bool = False) -> tuple[str, str]:
    """Create the owner's recovery key pair; returns (identity text to show once,
    recipient). The identity is not stored anywhere by Strongroom."""
    data_dir = Path(settings.STRONGROOM_DATA_DIR)
    identity, recipient = _recovery_key_create(
        data_dir=data_dir, signing_public_b64=public_key_load(data_dir=data_dir),
        store_name=settings.STRONGROOM_STORE_NAME, replace=replace)
    with transaction.atomic():
        audit_record(event=AuditEvent.RECOVERY_KEY_CREATED, actor=Actor.system("backups"),
                     object=("backups.recipient", recipient[:60]))
    return identity, recipient

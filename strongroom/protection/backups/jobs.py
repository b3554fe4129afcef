"""Scheduled disaster-recovery work (the jobs registry; the owner overrides each schedule
with ``STRONGROOM_SCHEDULE_<NAME>``). Each job is idempotent and returns a summary."""

from __future__ import annotations

from django.conf import settings

from strongroom.jobs.registry import scheduled
from strongroom.protection.backups import services
from strongroom.protection.backups.errors import BackupError, BackupErrorCode


@scheduled("backup-run", schedule="*/15 * * * *",
           description="encrypted, verified backup to every destination")
def backup_run_job() -> str:
    if not settings.STRONGROOM_BACKUPS.destinations:
        return "skipped: no destination configured (STRONGROOM_BACKUP_DESTINATIONS)"
    try:
        row, errors = services.backup_run(progress=lambda _m: None)
    except BackupError as exc:
        if exc.code == BackupErrorCode.NO_RECOVERY_KEY:
            return "skipped: no recovery key yet (strongroom backup init)"
        return f"failed: {exc.message}"  # recorded, audited and alerted by the service
    return (f"backup {row.backup_id}: {row.bytes} bytes, {row.seconds:.1f} s"
            + (f"; {len(errors)} destination(s) failed" if errors else ""))


@scheduled("backup-drill", schedule="0 3 1 * *",
           description="monthly restore drill measuring RPO and RTO (needs the recovery "
                       "key on this host: STRONGROOM_BACKUP_DRILL_IDENTITY)")
def backup_drill_job() -> str:
    if not settings.STRONGROOM_BACKUPS.drill_identity:
        return ("skipped: the recovery key is not on this host (by design); run "
                "`strongroom backup drill --recovery-key FILE` where it is")
    try:
        drill = services.backup_drill(identity_path=None, source=None,
                                      progress=lambda _m: None)
    except BackupError as exc:
        return f"failed: {exc.message}"
    if not drill.ok:
        return f"failed: {drill.error}"
    return f"passed: RPO {drill.rpo_seconds:.0f} s, RTO {drill.rto_seconds:.1f} s"


@scheduled("backup-prune", schedule="30 4 * * *",
           description="grandfather-father-son pruning at every destination")
def backup_prune_job() -> dict[str, int]:
    summary = services.backups_prune()
    return {"kept": sum(k for k, d in summary.values() if isinstance(d, int)),
            "deleted": sum(d for _k, d in summary.values() if isinstance(d, int)),
            "destinations_failed": sum(1 for _k, d in summary.values() if isinstance(d, str))}

"""Backups' own tables: ids, times, sizes, row counts and check results; no personal
data (the archives themselves hold the database, encrypted to the owner's recovery key,
and the policy lists backups as a copy of every personal field)."""

from strongroom.inventory import OPERATIONAL, declare

declare("backups.Backup", OPERATIONAL,
        system=["id", "backup_id", "status", "engine", "started_at", "snapshot_at",
                "finished_at", "seconds", "bytes", "plain_bytes", "counts", "verification",
                "error"])
declare("backups.BackupCopy", OPERATIONAL,
        system=["id", "backup", "destination", "ok", "verified_at", "error"])
declare("backups.Drill", OPERATIONAL,
        system=["id", "backup_id", "source", "started_at", "finished_at", "ok", "rpo_seconds",
                "rto_seconds", "detail", "error"])
declare("backups.MaintenanceState", OPERATIONAL,
        system=["id", "enabled", "message", "retry_after", "changed_at", "changed_by"])

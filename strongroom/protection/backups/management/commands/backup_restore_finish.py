"""Internal: run by ``backup restore`` against the NEW database before it is switched in.
Migrates it, pauses it (maintenance on), replays the erasure ledger (crypto-shred each
subject again: idempotent), records the restore, declares the audit gap it leaves (an
AUDIT_GAP_DECLARED event and a signed gap checkpoint numbered above ``--checkpoints-above``
and the checkpoint file's, so ``audit verify`` tells it from tampering), and checks it
(one JSON line: the replay count, the row counts as loaded, and the self-check report)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from strongroom.dbstats import statistics_refresh
from strongroom.protection.audit.events import Actor, AuditEvent
from strongroom.protection.audit.services import audit_gap_declare, audit_record
from strongroom.protection.backups.internal.ledger import ledger_read
from strongroom.protection.backups.internal.selfcheck import selfcheck_report, table_counts
from strongroom.protection.backups.services import maintenance_on
from strongroom.protection.vault.services import subject_shred


class Command(BaseCommand):
    help = "Internal: finish a restored database before it is switched in."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--backup-id", required=True)
        parser.add_argument("--source", required=True)
        parser.add_argument("--snapshot-at", required=True)
        parser.add_argument("--ledger", required=True)
        parser.add_argument("--checkpoints-above", type=int, default=0,
                            help="the replaced database's newest checkpoint number")

    def handle(self, *args: Any, backup_id: str, source: str, snapshot_at: str, ledger: str,
               checkpoints_above: int, **options: Any) -> None:
        actor = Actor.system("restore")
        loaded = table_counts()  # as loaded, before anything writes: held against the manifest
        call_command("migrate", interactive=False, verbosity=0)  # a backup of older code
        maintenance_on(message="The shop is being restored from a backup.", by=actor)
        entries = ledger_read(Path(ledger))
        for entry in entries:
            subject_shred(subject_id=entry.subject_id)
        statistics_refresh()  # pg_restore brings rows, not the planner's statistics
        with transaction.atomic():
            audit_record(event=AuditEvent.ERASURE_LEDGER_REPLAYED, actor=actor,
                         object=("backups.backup", backup_id),
                         reason=f"{len(entries)} erasures replayed after the restore")
            audit_record(event=AuditEvent.BACKUP_RESTORED, actor=actor,
                         object=("backups.backup", backup_id),
                         reason=f"restored from {source}; data as of {snapshot_at}")
            audit_gap_declare(backup_id=backup_id, snapshot_at=snapshot_at, actor=actor,
                              above=checkpoints_above)
        self.stdout.write(json.dumps({"replayed": len(entries), "loaded_counts": loaded,
                                      **selfcheck_report()}))

"""``strongroom backup init|run|list|verify|restore|drill|prune``.

Exit status: 0 done; 1 found problems (a destination failed, a tampered copy, a failed
verification or drill); 2 usage or missing data (no destination, no recovery key, no
such backup, a wrong key).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from strongroom.protection.backups import services
from strongroom.protection.backups.errors import BackupError
from strongroom.protection.vault.errors import KeyConfigError
from strongroom.protection.vault.recovery import RecoveryKeyError, identity_read

INIT_TEXT = """\
This is the RECOVERY KEY of your store's backups. It is shown once and stored nowhere.

{identity}
Save the block above (all five lines) as a file, e.g. recovery-key.txt, and keep it
OFF this server: a password manager, a USB stick in a safe, a printed copy. Whoever has
it can read every backup; without it no backup can be restored - not by you, not by us.
The store keeps only the public half ({recipient}): it can write backups it cannot read.
Restore: strongroom backup restore ID --recovery-key recovery-key.txt
Or without Strongroom: age -d -i recovery-key.txt payload.tar.gz.age > payload.tar.gz
"""


class Command(BaseCommand):
    help = "Encrypted, verified backups: init, run, list, verify, restore, drill, prune."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, parser_class=type(parser))
        init = sub.add_parser("init", help="create the recovery key (shown once)")
        init.add_argument("--replace", action="store_true",
                          help="make a new recovery key for future backups")
        init.add_argument("--out", metavar="FILE", help="also write the key to FILE (0600; "
                          "e.g. on a USB stick), never inside the data directory")
        sub.add_parser("run", help="back up now to every destination")
        sub.add_parser("list", help="the backups each destination holds")
        verify = sub.add_parser("verify", help="check a backup's copies (checksum and "
                                "signature; with --recovery-key also a scratch restore)")
        verify.add_argument("backup_id", metavar="ID")
        verify.add_argument("--from", dest="source", metavar="DEST")
        verify.add_argument("--recovery-key", metavar="FILE")
        restore = sub.add_parser("restore", help="restore a backup into a new database and "
                                 "switch the store to it")
        restore.add_argument("backup_id", metavar="ID")
        restore.add_argument("--from", dest="source", metavar="DEST",
                             help="file:///path or s3://bucket/prefix (default: every "
                             "configured destination, first that holds it)")
        restore.add_argument("--recovery-key", metavar="FILE", required=True)
        restore.add_argument("--into", metavar="NAME", help="restore into this new database "
                             "(SQLite file path or PostgreSQL database name) and do NOT "
                             "switch the store to it")
        restore.add_argument("--keep-maintenance", action="store_true",
                             help="leave maintenance mode on after the restore")
        drill = sub.add_parser("drill", help="restore the newest backup into a scratch "
                               "store, start it, measure RPO and RTO")
        drill.add_argument("--recovery-key", metavar="FILE")
        drill.add_argument("--from", dest="source", metavar="DEST")
        sub.add_parser("prune", help="delete old backups (grandfather-father-son)")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        try:
            getattr(self, f"do_{action}")(**options)
        except BackupError as exc:
            raise CommandError(exc.message, returncode=exc.exit_status) from None
        except (KeyConfigError, RecoveryKeyError) as exc:
            raise CommandError(str(exc), returncode=2) from None

    def _say(self, line: str) -> None:
        self.stdout.write(f"  {line}")
        self.stdout.flush()

    def do_init(self, *, replace: bool, out: str | None, **_: Any) -> None:
        identity, recipient = services.recovery_key_init(replace=replace)
        if out:
            path = Path(out).expanduser().resolve()
            if str(path).startswith(str(Path(settings.STRONGROOM_DATA_DIR).resolve())):
                raise CommandError("--out must be outside the data directory: the point of "
                                   "the recovery key is that the server does not hold it",
                                   returncode=2)
            with open(path, "x", encoding="utf-8", opener=_private) as handle:
                handle.write(identity)
        self.stdout.write(INIT_TEXT.format(identity=identity, recipient=recipient))

    def do_run(self, **_: Any) -> None:
        row, errors = services.backup_run(progress=self._say)
        self.stdout.write(f"backup {row.backup_id}: {row.bytes} bytes encrypted "
                          f"({row.plain_bytes} before compression), {row.seconds:.1f} s, "
                          f"verified in a scratch database")
        if errors:
            for error in errors:
                self.stderr.write(f"destination failed: {error}")
            sys.exit(1)

    def do_list(self, **_: Any) -> None:
        catalog = services.backup_catalog()
        for url, error in catalog.errors.items():
            self.stderr.write(f"{url}: {error}")
        if not catalog.ids:
            self.stdout.write("no backups")
        for backup_id in sorted(catalog.ids, reverse=True):
            self.stdout.write(f"{backup_id}  {', '.join(catalog.ids[backup_id])}")
        if catalog.errors:
            sys.exit(1)

    def do_verify(self, *, backup_id: str, source: str | None, recovery_key: str | None,
                  **_: Any) -> None:
        identity = identity_read(path=Path(recovery_key)) if recovery_key else None
        results = services.backup_verify(backup_id=backup_id, source=source,
                                         identity=identity)
        for where, result in results.items():
            self.stdout.write(f"{where}: {result}")
        if any(r != "ok" for r in results.values()):
            sys.exit(1)

    def do_restore(self, *, backup_id: str, source: str | None, recovery_key: str,
                   into: str | None, keep_maintenance: bool, **_: Any) -> None:
        result = services.backup_restore(
            backup_id=backup_id, source=source, identity_path=Path(recovery_key), into=into,
            keep_maintenance=keep_maintenance, progress=self._say)
        where = "the store now runs on it" if result.switched else f"into {result.database}"
        self.stdout.write(f"restored {result.backup_id} from {result.source} ({where}); "
                          f"{result.replayed} erasures replayed; data as of "
                          f"{result.snapshot_at}; {result.seconds:.1f} s")
        for gap in result.report.get("audit_gaps", [])[-1:]:  # this restore's
            self.stdout.write(f"audit log: {gap}")

    def do_drill(self, *, recovery_key: str | None, source: str | None, **_: Any) -> None:
        drill = services.backup_drill(identity_path=Path(recovery_key) if recovery_key
                                      else None, source=source, progress=self._say)
        self.stdout.write(f"drill of {drill.backup_id}: {'passed' if drill.ok else 'FAILED'}"
                          f"; RPO {drill.rpo_seconds or 0:.0f} s, RTO "
                          f"{drill.rto_seconds or 0:.1f} s {drill.error}")
        if not drill.ok:
            sys.exit(1)

    def do_prune(self, **_: Any) -> None:
        summary = services.backups_prune()
        failed = False
        for url, (kept, deleted) in summary.items():
            if isinstance(deleted, str):
                failed = True
                self.stderr.write(f"destination failed: {deleted}")
            else:
                self.stdout.write(f"{url}: kept {kept}, deleted {deleted}")
        if failed:
            sys.exit(1)


def _private(path: str, flags: int) -> int:
    return os.open(path, flags, 0o600)

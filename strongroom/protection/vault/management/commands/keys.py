"""``strongroom keys <subcommand>``: thin wrapper over vault services and selectors."""

from __future__ import annotations

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from strongroom.protection.vault import selectors, services
from strongroom.protection.vault.errors import VaultError
from strongroom.protection.vault.models import DataKey, DataKeyState


class ProgressBar:
    """A one-line progress bar on stderr (stdout stays clean for scripts)."""

    def __init__(self, label: str, stream: Any = None, width: int = 30) -> None:
        self.label, self.stream, self.width = label, stream or sys.stderr, width

    def __call__(self, done: int, total: int) -> None:
        total = max(total, done, 1)
        filled = self.width * done // total
        self.stream.write(
            f"\r{self.label} [{'#' * filled}{'.' * (self.width - filled)}] "
            f"{100 * done // total:3d}% {done}/{total}"
        )
        if done >= total:
            self.stream.write("\n")
        self.stream.flush()


class Command(BaseCommand):
    help = (
        "Manage encryption keys: init, status, rotate, retire, rotate-index, reindex, retire-index."
    )
    requires_system_checks: list[str] = []  # the vault's own checks would only repeat our errors

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, parser_class=type(parser))
        sub.add_parser("init", help="create the first key-encryption key (mode 0600)")
        sub.add_parser("status", help="key versions, what each protects, what can be retired")
        rotate = sub.add_parser("rotate", help="new KEK version and rewrap every data key")
        rotate.add_argument(
            "--reencrypt",
            action="store_true",
            help="also re-encrypt all data under fresh data keys",
        )
        rotate.add_argument("--batch-size", type=int, default=1000)
        retire = sub.add_parser("retire", help="destroy an old KEK version nothing uses")
        retire.add_argument("version", type=int)
        rindex = sub.add_parser("rotate-index", help="new blind-index key and re-index rows")
        rindex.add_argument("--batch-size", type=int, default=500)
        reindex = sub.add_parser(
            "reindex", help="finish re-indexing rows under the primary index key"
        )
        reindex.add_argument("--batch-size", type=int, default=500)
        iretire = sub.add_parser("retire-index", help="delete an old blind-index key nothing uses")
        iretire.add_argument("version", type=int)

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        try:
            getattr(self, "do_" + action.replace("-", "_"))(**options)
        except (VaultError, ValueError) as exc:
            raise CommandError(str(exc)) from None

    def do_init(self, **options: Any) -> None:
        version = services.vault_init()
        self.stdout.write(f"key-encryption key ready (version {version})")

    def do_status(self, **options: Any) -> None:
        status = selectors.key_status()
        self.stdout.write(f"KEK source: {status.source} ({status.location})")
        for kek in status.kek_versions:
            state = (
                "primary"
                if kek.primary
                else ("can be retired" if kek.retirable else "in use: run `keys rotate`")
            )
            self.stdout.write(
                f"  KEK v{kek.version}: {kek.data_keys} data keys, {kek.index_keys} index keys — {state}"  # noqa: E501
            )
        for idx in status.index_versions:
            state = (
                "primary"
                if idx.primary
                else ("can be retired" if idx.retirable else "in use: run `keys reindex`")
            )
            self.stdout.write(f"  index key v{idx.version}: {idx.rows} rows — {state}")
        if status.data_keys_retiring:
            self.stdout.write(
                f"  {status.data_keys_retiring} old data keys still retiring: run `keys rotate --reencrypt`"  # noqa: E501
            )
        if status.missing_versions:
            self.stdout.write(
                f"  MISSING KEK versions (data unreadable): {status.missing_versions}"
            )
        self.stdout.write(f"  erased subjects: {status.subjects_erased}")

    def do_rotate(self, *, reencrypt: bool, batch_size: int, **options: Any) -> None:
        resuming = services.rotation_unfinished()
        if resuming:
            self.stderr.write("finishing the rotation that was interrupted (no new KEK version)")
        count = services.kek_rotate(
            reencrypt=reencrypt, batch_size=batch_size, on_progress=ProgressBar("rewrap")
        )
        self.stdout.write(
            f"rewrapped {count} keys under KEK v{selectors.key_status().kek_versions[-1].version}"
        )
        if not reencrypt:
            if selectors.key_status().data_keys_retiring:
                self.stderr.write(
                    "an interrupted re-encryption is unfinished: run `strongroom keys rotate "
                    "--reencrypt` to finish it"
                )
            return
        report = services.data_reencrypt(
            batch_size=batch_size, on_progress=ProgressBar("re-encrypt")
        )
        if report.keys_waiting:
            wait = self._grace_wait()
            self.stderr.write(f"waiting {wait:.0f}s for other processes to drop old data keys…")
            time.sleep(wait)
            final = services.data_reencrypt(
                batch_size=batch_size, on_progress=ProgressBar("verify")
            )
            report.values += final.values
            report.keys_deleted += final.keys_deleted
            report.keys_waiting, report.conflicts = final.keys_waiting, final.conflicts
        self.stdout.write(
            f"re-encrypted {report.values} values of {report.subjects} subjects; "
            f"deleted {report.keys_deleted} old data keys; {report.keys_waiting} still waiting"
        )
        if report.conflicts:
            raise CommandError(
                f"{report.conflicts} rows changed or were unreadable during re-encryption: run again"  # noqa: E501
            )

    def _grace_wait(self) -> float:
        latest = (
            DataKey.objects.filter(state=DataKeyState.RETIRING)
            .order_by("-state_changed_at")
            .first()
        )
        if latest is None:
            return 0.0
        return max(
            0.0,
            (latest.state_changed_at + services.REENCRYPT_GRACE - timezone.now()).total_seconds(),
        )

    def do_retire(self, *, version: int, **options: Any) -> None:
        services.kek_retire(version=version)
        self.stdout.write(f"KEK v{version} destroyed")

    def do_rotate_index(self, *, batch_size: int, **options: Any) -> None:
        version = services.index_key_rotate(
            batch_size=batch_size, on_progress=ProgressBar("reindex")
        )
        self.stdout.write(f"blind-index key v{version} is primary; rows re-indexed")

    def do_reindex(self, *, batch_size: int, **options: Any) -> None:
        count = services.index_rows_reindex(
            batch_size=batch_size, on_progress=ProgressBar("reindex")
        )
        self.stdout.write(f"re-indexed {count} rows")

    def do_retire_index(self, *, version: int, **options: Any) -> None:
        services.index_key_retire(version=version)
        self.stdout.write(f"blind-index key v{version} deleted")

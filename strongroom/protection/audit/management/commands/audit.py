"""``strongroom audit verify|checkpoint|tail|pubkey|triggers``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from strongroom.errors import ApplicationError
from strongroom.protection.audit import selectors, services
from strongroom.protection.audit.events import Actor, AuditEvent
from strongroom.protection.audit.internal.chain import CHAINS
from strongroom.protection.audit.internal.triggers import triggers_create
from strongroom.protection.audit.internal.verify import workers_default
from strongroom.protection.audit.services import audit_record
from strongroom.protection.audit.signals import verify_failed
from strongroom.protection.vault.errors import KeyConfigError
from strongroom.protection.vault.signing import public_key_load

VERIFY_HELP = (
    "recompute every hash chain and check it against the signed checkpoints; names the "
    "first edited, deleted, inserted or reordered event and exits 1. Events deleted from "
    "the end of the log after the last checkpoint are only caught by the chain-head "
    "cross-check (an attacker who also rolls the heads back is not): checkpoint often. "
    "The gap a restore declared (a checkpoint signed by the audit signing key) is reported "
    "as such; a cut without that signature fails."
)


def _workers(value: str | None) -> int:
    """``--workers``: a whole number >= 1 (more than one per chain gains nothing)."""
    if value is None:
        return workers_default()
    try:
        workers = int(value)
    except ValueError:
        workers = 0
    if workers < 1:
        raise CommandError(f"--workers must be a whole number of processes, 1 or more "
                           f"(got {value!r})", returncode=2)
    return min(workers, CHAINS)


class Command(BaseCommand):
    help = "Tamper-evident audit log: verify, checkpoint, tail."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, parser_class=type(parser))
        verify = sub.add_parser("verify", help=VERIFY_HELP, description=VERIFY_HELP)
        verify.add_argument("--public-key", help="base64 Ed25519 public key to trust "
                            "(default: the exported key in the data directory)")
        verify.add_argument("--workers", metavar="N", help="processes walking the chains in "
                            f"parallel (default: the number of CPUs, at most {CHAINS}; "
                            "1 = in this process)")
        sub.add_parser("checkpoint", help="sign every chain head (database + checkpoint file)")
        tail = sub.add_parser("tail", help="the latest events")
        tail.add_argument("-n", type=int, default=20, choices=range(1, 1001), metavar="N")
        sub.add_parser("pubkey", help="print the checkpoint public key for verifiers")
        sub.add_parser("triggers", help="(re)install the append-only triggers")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        try:
            getattr(self, f"do_{action}")(**options)
        except (ApplicationError, KeyConfigError) as exc:
            raise CommandError(exc.message if hasattr(exc, "message") else str(exc)) from None

    def do_verify(self, *, public_key: str | None, workers: str | None,
                  **options: Any) -> None:
        report = selectors.audit_verify(public_key=public_key, workers=_workers(workers))
        for note in report.notes:
            self.stdout.write(f"note: {note}")
        for problem in report.problems:
            self.stderr.write(f"TAMPERED ({problem.kind}): {problem.message}")
        processes = "1 process" if report.workers == 1 else f"{report.workers} processes"
        summary = (f"{report.events} events in {report.chains} chains, "
                   f"{report.checkpoints} signed checkpoints, {report.seconds:.2f} s, "
                   f"{processes}")
        if not report.ok:
            try:
                _verify_failed_alert(report, summary)
            except Exception as exc:  # noqa: BLE001 - the verdict must reach the operator
                self.stderr.write(f"could not raise the console alert: {exc}")
            raise CommandError(f"audit log verification FAILED ({summary})")
        self.stdout.write(f"audit log OK: {summary}")

    def do_checkpoint(self, **options: Any) -> None:
        result = services.audit_checkpoint_create()
        events = sum(seq for _, seq, _ in result.heads)
        self.stdout.write(f"checkpoint {result.number} signed: {events} events in "
                          f"{len(result.heads)} chains ({result.events_checked} newly "
                          f"verified); copy appended to {result.file}")

    def do_tail(self, *, n: int, **options: Any) -> None:
        for e in selectors.audit_tail(limit=n):
            at = dt.datetime.fromtimestamp(e.at_us / 1e6, tz=dt.UTC).isoformat(timespec="seconds")
            parts = [at, f"#{e.pk}", e.event_label, f"by {e.actor_label} {e.actor_id}".rstrip()]
            if e.subject_id:
                parts.append(f"subject {e.subject_id}")
            if e.object_type:
                parts.append(f"{e.object_type} {e.object_id}")
            if e.fields:
                parts.append(f"fields {e.fields}")
            if e.reason:
                parts.append(f"reason {e.reason!r}")
            self.stdout.write("  ".join(parts))

    def do_pubkey(self, **options: Any) -> None:
        self.stdout.write(public_key_load(data_dir=settings.STRONGROOM_DATA_DIR))

    def do_triggers(self, **options: Any) -> None:
        triggers_create(connection)
        self.stdout.write("append-only triggers installed on audit_event and audit_checkpoint")


def _verify_failed_alert(report: Any, summary: str) -> None:
    """A tampered log is the owner's business at once, not only this terminal's: record
    AUDIT_VERIFY_FAILED and announce ``verify_failed``, on which the alerts app (above
    audit) raises the console alert (deduplicated while open), in one transaction."""
    first = report.problems[0] if report.problems else None
    what = f"{first.kind}: {first.message}" if first is not None else "see the command output"
    with transaction.atomic():
        verify_failed.send(sender=Command, problems=len(report.problems),
                           events=report.events, first_kind=getattr(first, "kind", ""),
                           first=what)
        audit_record(event=AuditEvent.AUDIT_VERIFY_FAILED, actor=Actor.system("audit verify"),
                     reason=f"{len(report.problems)} problem(s): {summary}")

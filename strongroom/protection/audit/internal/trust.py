"""Which signed checkpoints to trust, and the gaps a restore declared.

A restore brings back the log as of the backup: the events recorded after it, and the
checkpoints signed over them, belong to a history that is lost. The restore says so
with a *gap checkpoint*: an ordinary signed checkpoint (audit signing key) whose payload
also holds ``gap = {after, backup_id, snapshot_at, event}``. It links (``prev``) to
checkpoint ``after``, the restored log's last one, and takes a number above every
checkpoint of the lost history, so checkpoints ``after+1 .. number-1`` still in the
file are recognised as that history, not as checkpoints deleted from the database.
``event`` names the AUDIT_GAP_DECLARED event the restore wrote in the same transaction.

Threats, and what stops them:
* someone who deletes or edits events, or deletes checkpoints, and writes an
  AUDIT_GAP_DECLARED event to explain it: without the signing key they cannot sign the
  gap checkpoint, so the checkpoints are still missing and the event is reported as an
  unsigned (forged) declaration (``gap_events_check``);
* a forged gap checkpoint: its signature fails, its declaration is ignored;
* a genuine gap checkpoint copied elsewhere: it covers only the checkpoints between its
  ``after`` and its own number, and its heads and ``prev`` bind it to one history.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from typing import Any

from django.db import connection

from strongroom.protection.audit.events import AuditEvent
from strongroom.protection.audit.internal.checkpoints import SignedCheckpoint, message
from strongroom.protection.audit.internal.report import Gap, Problem, VerifyReport
from strongroom.protection.vault.signing import signature_valid


def gap_of(cp: SignedCheckpoint) -> dict[str, Any] | None:
    """The gap a (signature-checked) checkpoint declares, or None; raises ValueError if
    its declaration is malformed."""
    gap = cp.data.get("gap")
    if gap is None:
        return None
    after, (chain, seq, digest) = int(gap["after"]), gap["event"]
    if not 0 <= after < cp.number:
        raise ValueError("gap after")
    return {"after": after, "backup_id": str(gap["backup_id"]),
            "snapshot_at": str(gap["snapshot_at"]),
            "event": (int(chain), int(seq), str(digest))}


def _signed(cp: SignedCheckpoint, number: int, public_b64: str) -> bool:
    try:
        signature = base64.b64decode(cp.signature, validate=True)
        data = cp.data
    except ValueError:
        return False
    return signature_valid(public_b64=public_b64, message=message(cp.payload),
                           signature=signature) and data.get("number") == number


def _superseded(valid: dict[int, SignedCheckpoint], report: VerifyReport
                ) -> tuple[dict[int, int], dict[int, dict[str, Any]]]:
    """number -> the gap checkpoint that declares it lost; and the gaps in force. From
    the newest down: a gap inside a history a later restore lost is itself lost."""
    lost: dict[int, int] = {}
    gaps: dict[int, dict[str, Any]] = {}
    for number in sorted(valid, reverse=True):
        if number in lost:
            continue
        try:
            gap = gap_of(valid[number])
        except (ValueError, KeyError, TypeError):
            report.problems.append(Problem("checkpoint", f"checkpoint {number} holds a "
                                           "malformed gap declaration"))
            continue
        if gap is not None:
            gaps[number] = gap
            for older in range(gap["after"] + 1, number):
                lost[older] = number
    return lost, gaps


def _merge(db: list[SignedCheckpoint], file: list[SignedCheckpoint], report: VerifyReport
           ) -> dict[int, SignedCheckpoint]:
    by_number: dict[int, SignedCheckpoint] = {}
    for cp in [*db, *file]:
        seen = by_number.get(cp.number)
        if seen is not None and (seen.payload, seen.signature) != (cp.payload, cp.signature):
            report.problems.append(Problem(
                "checkpoint", f"checkpoint {cp.number} differs between the database and "
                "the checkpoint file: one copy was altered"))
        by_number.setdefault(cp.number, cp)
    return by_number


def checkpoints_check(
    *, db: list[SignedCheckpoint], file: list[SignedCheckpoint], public_b64: str | None,
    report: VerifyReport,
) -> list[SignedCheckpoint]:
    """Merge the two copies, check signatures, links and declared gaps; returns the
    trusted checkpoints of the log's own history (the lost history's are left out)."""
    by_number = _merge(db, file, report)
    if by_number and public_b64 is None:
        report.problems.append(Problem(
            "checkpoint", "no public key to check checkpoint signatures with"))
        return []
    valid = {n: cp for n, cp in by_number.items() if _signed(cp, n, public_b64 or "")}
    lost, gaps = _superseded(valid, report)
    file_numbers, db_numbers = {c.number for c in file}, {c.number for c in db}
    for number in sorted(file_numbers - db_numbers - set(lost)):
        report.problems.append(Problem(
            "checkpoint", f"checkpoint {number} is in the checkpoint file but was deleted "
            "from the database"))
    for number in sorted(n for n in lost if n in by_number and n not in valid):
        report.problems.append(Problem(
            "checkpoint", f"checkpoint {number} (of the history a restore lost) has no "
            "valid signature by the audit signing key (forged or altered)"))
    for number in sorted(db_numbers - file_numbers):
        report.notes.append(f"checkpoint {number} is not in the checkpoint file "
                            "(crash before the file write, or the file was trimmed)")
    trusted: list[SignedCheckpoint] = []
    prev_digest = ""
    expected = 1
    for number in sorted(set(by_number) - set(lost)):
        cp = by_number[number]
        start = gaps[number]["after"] + 1 if number in gaps else number
        if start != expected:
            report.problems.append(Problem(
                "checkpoint", f"checkpoints {expected}..{start - 1} are missing from both "
                "copies"))
        expected = number + 1
        if number not in valid:
            report.problems.append(Problem(
                "checkpoint", f"checkpoint {number} has no valid signature by the audit "
                "signing key (forged or altered)"))
            continue
        if cp.data.get("prev") != prev_digest:
            report.problems.append(Problem(
                "checkpoint", f"checkpoint {number} does not follow checkpoint "
                f"{start - 1} (a checkpoint was altered or removed)"))
        if number in gaps:
            gap = gaps[number]
            report.gaps.append(Gap(
                number, gap["after"], int(cp.data.get("at_us", 0)), gap["backup_id"],
                gap["snapshot_at"], gap["event"],
                tuple(sorted(n for n, by in lost.items() if by == number and n in by_number))))
        prev_digest = cp.digest
        trusted.append(cp)
    report.checkpoints = len(trusted)
    return trusted


def checkpoint_marks(trusted: Iterable[SignedCheckpoint]) -> dict[int, dict[int, tuple[str, int]]]:
    """chain -> {seq: (digest, checkpoint number)} for every head a checkpoint signed."""
    marks: dict[int, dict[int, tuple[str, int]]] = {}
    for cp in trusted:
        for chain, seq, digest in cp.data["heads"]:
            if seq > 0:
                marks.setdefault(int(chain), {})[int(seq)] = (str(digest), cp.number)
    return marks


def gap_events_check(report: VerifyReport) -> None:
    """Every AUDIT_GAP_DECLARED event in the log must be the one a trusted, signed gap
    checkpoint names (anyone who can write the database can chain an event; only the
    signing key makes it a declaration), and every declared gap's event must be there."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT chain, seq, digest, id FROM audit_event WHERE event = %s "
                       "ORDER BY chain, seq", [int(AuditEvent.AUDIT_GAP_DECLARED)])
        found = {(c, s, d): pk for c, s, d, pk in cursor.fetchall()}
    declared = {gap.event: gap for gap in report.gaps}
    for (chain, seq, digest), pk in sorted(found.items()):
        if (chain, seq, digest) not in declared:
            report.problems.append(Problem(
                "gap", f"chain {chain} seq {seq}: event #{pk} declares an audit gap that no "
                "checkpoint signed by the audit signing key declares (a forged "
                "declaration, or a restore that did not finish)", chain, seq, pk))
    for event, gap in sorted(declared.items()):
        if event not in found:
            report.problems.append(Problem(
                "gap", f"the gap declared by checkpoint {gap.checkpoint} names chain "
                f"{event[0]} seq {event[1]}, which is not in the log as signed",
                event[0], event[1]))
    for gap in report.gaps:
        report.notes.append(gap.summary)

"""The erasure ledger, read for replay after a restore.

Format (written by the privacy app, append-only, 0600, fsync'd): one JSON object a line,
``{"seq": int, "subject_id": "<vault subject uuid>", "erased_at": "<ISO 8601 UTC>",
"request_id": "<reference>"}``, no personal data. A restored database predates some
erasures; replaying every entry (crypto-shred is idempotent) makes them hold again.

Fail closed: a line that cannot be read might be an erasure that would be lost, so it
stops the restore before anything is switched, with its line number.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass
from pathlib import Path

from strongroom.protection.backups.errors import BackupError, BackupErrorCode

LEDGER_PATH = Path("privacy") / "erasure-ledger.jsonl"  # under the data directory


@dataclass(frozen=True)
class Erasure:
    seq: int
    subject_id: uuid.UUID
    erased_at: dt.datetime
    request_id: str


def ledger_read(path: Path) -> list[Erasure]:
    if not path.exists():
        return []
    entries = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            seq = data["seq"]
            if not isinstance(seq, int) or isinstance(seq, bool):
                raise ValueError("seq")
            at = dt.datetime.fromisoformat(str(data["erased_at"]).replace("Z", "+00:00"))
            entries.append(Erasure(seq, uuid.UUID(str(data["subject_id"])), at,
                                   str(data.get("request_id", ""))[:100]))
        except (ValueError, KeyError, TypeError):
            raise BackupError(BackupErrorCode.LEDGER, f"erasure ledger {path} line {number} "
                              "is unreadable: an erasure could be lost, so nothing was "
                              "restored (repair the line, then restore again)") from None
    return entries


def ledger_merge(*sources: list[Erasure]) -> list[Erasure]:
    """Every subject erased in any copy, once, in ledger order."""
    seen: dict[uuid.UUID, Erasure] = {}
    for entries in sources:
        for entry in entries:
            seen.setdefault(entry.subject_id, entry)
    return sorted(seen.values(), key=lambda e: (e.erased_at, e.seq))


def ledger_write(path: Path, entries: list[Erasure]) -> None:
    """For the restore step's own use (a file handed to the finishing process)."""
    with open(path, "w", encoding="utf-8") as handle:
        for e in entries:
            handle.write(json.dumps({"seq": e.seq, "subject_id": str(e.subject_id),
                                     "erased_at": e.erased_at.isoformat(),
                                     "request_id": e.request_id}) + "\n")

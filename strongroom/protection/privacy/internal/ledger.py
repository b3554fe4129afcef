"""The erasure ledger file: ``<data dir>/privacy/erasure-ledger.jsonl`` (dir 0700, file
0600), one JSON object per line, ``{"seq", "subject_id", "erased_at", "request_id"}``, no
personal data. The backups app replays it after a restore (each entry = the vault's
idempotent ``subject_shred``), so a restored backup cannot bring an erased person back.

The database table is the source; the file follows it. ``ledger_file_sync`` appends every
entry whose seq is past the file's last line, so an append lost to a crash between the
commit and the write is made up at the next erasure, sweep or ``strongroom privacy
ledger``. Appends take an exclusive lock (several app processes) and fsync each line.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
from pathlib import Path

from django.conf import settings

from ..models import ErasureLedgerEntry


def ledger_path() -> Path:
    return Path(settings.STRONGROOM_DATA_DIR) / "privacy" / "erasure-ledger.jsonl"


def entry_line(entry: ErasureLedgerEntry) -> str:
    erased_at = entry.erased_at.astimezone(dt.UTC)
    return json.dumps({"seq": entry.seq, "subject_id": str(entry.subject_id),
                       "erased_at": erased_at.isoformat().replace("+00:00", "Z"),
                       "request_id": entry.request_id}, separators=(",", ":")) + "\n"


def _last_seq(handle: int) -> int:
    size = os.lseek(handle, 0, os.SEEK_END)
    if size == 0:
        return 0
    start = max(0, size - 8192)
    os.lseek(handle, start, os.SEEK_SET)
    tail = os.read(handle, size - start).decode("utf-8", "replace").strip().splitlines()
    for line in reversed(tail):
        try:
            return int(json.loads(line)["seq"])
        except (ValueError, KeyError, TypeError):
            continue  # a torn last line (crash mid-write) is skipped, not trusted
    return 0


def ledger_file_sync() -> int:
    """Append to the file every ledger entry it lacks; returns how many were appended."""
    path = ledger_path()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.fchmod(fd, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX)
        last = _last_seq(fd)
        written = 0
        for entry in ErasureLedgerEntry.objects.filter(seq__gt=last).order_by("seq").iterator():
            os.write(fd, entry_line(entry).encode("utf-8"))
            os.fsync(fd)
            written += 1
        return written
    finally:
        os.close(fd)


def ledger_file_entries() -> list[dict]:
    path = ledger_path()
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            continue
    return out

"""Signed checkpoints: their canonical payload, and the copy kept outside the database.

A checkpoint states every chain's (seq, digest) at one moment, links to the previous
checkpoint by hash, and is signed (Ed25519, ``vault.signing``) over
``DOMAIN + payload``. The same record is stored in ``audit_checkpoint`` and appended
to ``<data_dir>/audit/checkpoints.jsonl`` (later also to the backup destinations):
deleting checkpoints then needs both the database and the data directory.

Limit (documented in ``strongroom audit verify --help``): events deleted from a
chain's tail *after* the last checkpoint leave no signed trace; the chain-head cross
check catches it unless the attacker also rolls the head back. Checkpoint often.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DOMAIN = b"strongroom.audit.checkpoint.v1\x00"
FILE_NAME = "checkpoints.jsonl"


@dataclass(frozen=True)
class SignedCheckpoint:
    number: int
    payload: str
    signature: str  # base64
    key_id: str

    @property
    def data(self) -> dict[str, Any]:
        return json.loads(self.payload)

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.payload.encode()).hexdigest()

    def as_line(self) -> str:
        return json.dumps(
            {"number": self.number, "payload": self.payload, "signature": self.signature,
             "key_id": self.key_id},
            sort_keys=True, separators=(",", ":"),
        )


def payload_build(
    *, number: int, at_us: int, prev: str, key_id: str, heads: list[tuple[int, int, str]],
    gap: dict[str, Any] | None = None,
) -> str:
    """``gap``: a restore's declaration (see ``trust.py``); only gap checkpoints have it."""
    data: dict[str, Any] = {"v": 1, "number": number, "at_us": at_us, "prev": prev,
                            "key_id": key_id, "heads": [list(h) for h in sorted(heads)]}
    if gap is not None:
        data["gap"] = gap
    return json.dumps(data, sort_keys=True, separators=(",", ":"))


def message(payload: str) -> bytes:
    return DOMAIN + payload.encode()


def file_path(data_dir: Path) -> Path:
    return Path(data_dir) / "audit" / FILE_NAME


def file_append(data_dir: Path, checkpoint: SignedCheckpoint) -> None:
    """Append one line and fsync it: O_APPEND keeps concurrent appenders' lines whole."""
    path = file_path(data_dir)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (checkpoint.as_line() + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)


def file_read(data_dir: Path) -> tuple[list[SignedCheckpoint], list[str]]:
    """The checkpoints in the file, and a problem line for each unreadable line."""
    path = file_path(data_dir)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return [], []
    found: list[SignedCheckpoint] = []
    problems: list[str] = []
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            found.append(SignedCheckpoint(
                int(raw["number"]), str(raw["payload"]), str(raw["signature"]),
                str(raw["key_id"]),
            ))
        except (ValueError, KeyError, TypeError):
            problems.append(f"{path}:{lineno} is not a checkpoint record (edited?)")
    return found, problems

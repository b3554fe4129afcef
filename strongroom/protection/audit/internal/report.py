"""What ``audit verify`` found: problems (tampering), notes, and the gaps a restore
declared (which are not problems: their declaration is signed)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    kind: str  # edited | deleted | inserted | reordered | truncated | rewritten | checkpoint | gap
    message: str
    chain: int | None = None
    seq: int | None = None
    event_id: int | None = None


@dataclass(frozen=True)
class Gap:
    """A restore's signed statement: the events after ``snapshot_at`` (and the signed
    checkpoints after ``after``) belong to a history the restore of ``backup_id`` lost."""

    checkpoint: int  # the signed gap checkpoint
    after: int  # the last checkpoint of the restored history before the gap
    at_us: int  # when the restore declared it
    backup_id: str
    snapshot_at: str
    event: tuple[int, int, str]  # (chain, seq, digest) of the AUDIT_GAP_DECLARED event
    lost_checkpoints: tuple[int, ...] = ()  # of the lost history, still in a copy

    @property
    def declared_at(self) -> str:
        return dt.datetime.fromtimestamp(self.at_us / 1e6, tz=dt.UTC).isoformat(
            timespec="seconds")

    @property
    def summary(self) -> str:
        lost = (f"; checkpoints {self.lost_checkpoints[0]}..{self.lost_checkpoints[-1]} "
                "belong to the lost history" if self.lost_checkpoints else "")
        return (f"gap declared at {self.declared_at} by restore of backup {self.backup_id} "
                f"(events after {self.snapshot_at} are not in this log{lost})")


@dataclass
class VerifyReport:
    events: int = 0
    chains: int = 0
    checkpoints: int = 0
    seconds: float = 0.0
    workers: int = 1  # processes that walked the chains
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def rate(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0

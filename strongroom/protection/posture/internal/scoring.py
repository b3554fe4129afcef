"""The score: weighted share of passing checks (a warning counts half), checks that do
not apply left out. A failed critical check caps the score at ``CRITICAL_CAP``, so a
store that is good everywhere but has, say, staff without MFA never reads "90/100"."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .checks.registry import FAIL, NA, PASS, PRACTICES, STATUSES, WARN, CheckResult

CRITICAL_CAP = 49


@dataclass(frozen=True)
class Score:
    score: int
    critical_failed: list[str]
    counts: dict[str, int]
    by_practice: dict[str, int | None]  # None: nothing applicable was checked


def _weighted(results: Iterable[CheckResult]) -> int | None:
    total = earned = 0.0
    for r in results:
        if r.status == NA:
            continue
        total += r.weight
        earned += r.weight if r.status == PASS else r.weight / 2 if r.status == WARN else 0
    return None if total == 0 else round(100 * earned / total)


def score_compute(results: list[CheckResult]) -> Score:
    overall = _weighted(results) or 0
    critical = [r.id for r in results if r.critical and r.status == FAIL]
    if critical:
        overall = min(overall, CRITICAL_CAP)
    counts = {s: sum(1 for r in results if r.status == s) for s in STATUSES}
    by_practice = {p: _weighted(r for r in results if r.practice == p) for p in PRACTICES}
    return Score(overall, critical, counts, by_practice)

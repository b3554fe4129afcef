"""A finding's severity: the CVSS v3.x base score computed from the advisory's vector
(FIRST's CVSS v3.1 specification, section 7), else the database's own label (GitHub's
LOW/MODERATE/HIGH/CRITICAL), else "unknown" -- which the scan reports, never hides."""

from __future__ import annotations

import math
from typing import Any

_AV = {"N": 0.85, "A": 0.62, "L": 0.55, "P": 0.2}
_AC = {"L": 0.77, "H": 0.44}
_PR_U = {"N": 0.85, "L": 0.62, "H": 0.27}
_PR_C = {"N": 0.85, "L": 0.68, "H": 0.5}
_UI = {"N": 0.85, "R": 0.62}
_CIA = {"H": 0.56, "L": 0.22, "N": 0.0}
LABELS = {"low": "low", "moderate": "medium", "medium": "medium", "high": "high",
          "critical": "critical"}
ORDER = ("unknown", "low", "medium", "high", "critical")


def _roundup(value: float) -> float:
    as_int = round(value * 100000)
    if as_int % 10000 == 0:
        return as_int / 100000.0
    return (math.floor(as_int / 10000) + 1) / 10.0


def cvss3_score(vector: str) -> float | None:
    """Base score of a ``CVSS:3.x/AV:../..`` vector; None if it is not one."""
    parts = vector.split("/")
    if not parts or not parts[0].startswith("CVSS:3"):
        return None
    metrics = dict(p.split(":", 1) for p in parts[1:] if ":" in p)
    try:
        changed = metrics["S"] == "C"
        pr = (_PR_C if changed else _PR_U)[metrics["PR"]]
        iss = 1 - ((1 - _CIA[metrics["C"]]) * (1 - _CIA[metrics["I"]])
                   * (1 - _CIA[metrics["A"]]))
        exploitability = 8.22 * _AV[metrics["AV"]] * _AC[metrics["AC"]] * pr * _UI[metrics["UI"]]
    except KeyError:
        return None
    if changed:
        impact = 7.52 * (iss - 0.029) - 3.25 * (iss - 0.02) ** 15
    else:
        impact = 6.42 * iss
    if impact <= 0:
        return 0.0
    total = impact + exploitability
    return _roundup(min(1.08 * total if changed else total, 10))


def rating(score: float) -> str:
    if score >= 9.0:
        return "critical"
    if score >= 7.0:
        return "high"
    if score >= 4.0:
        return "medium"
    return "low" if score > 0 else "unknown"


def severity_of(data: dict[str, Any]) -> tuple[str, float | None, str]:
    """(severity label, CVSS score or None, vector) of one OSV document."""
    entries = list(data.get("severity") or [])
    for affected in data.get("affected") or []:
        if isinstance(affected, dict):
            entries += list(affected.get("severity") or [])
    best: tuple[float, str] | None = None
    for entry in entries:
        if isinstance(entry, dict) and entry.get("type") == "CVSS_V3":
            score = cvss3_score(str(entry.get("score", "")))
            if score is not None and (best is None or score > best[0]):
                best = (score, str(entry["score"]))
    if best is not None:
        return rating(best[0]), best[0], best[1]
    vector = next((str(e.get("score", "")) for e in entries if isinstance(e, dict)), "")
    label = (data.get("database_specific") or {}).get("severity")
    if isinstance(label, str) and label.lower() in LABELS:
        return LABELS[label.lower()], None, vector
    return "unknown", None, vector


def at_least(severity: str, threshold: str) -> bool:
    return ORDER.index(severity) >= ORDER.index(threshold)

"""Posture reads: open findings, the latest scan and self-audit, the score's trend and
the risk register with residual scores from the latest self-audit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from .internal.checks.registry import checks_load
from .internal.cvss import ORDER, at_least
from .models import AuditRun, Finding, Risk, ScanRun
from .reports import style_hash

REDUCTION = 0.6  # the most that passing controls take off a risk's inherent score


def findings_open() -> list[Finding]:
    found = list(Finding.objects.filter(resolved_at=None))
    return sorted(found, key=lambda f: (-ORDER.index(f.severity), -(f.score or 0), f.package))


def findings_open_at_least(*, severity: str) -> list[Finding]:
    return [f for f in findings_open() if at_least(f.severity, severity)]


def findings_resolved(*, limit: int = 50) -> QuerySet[Finding]:
    return Finding.objects.filter(resolved_at__isnull=False).order_by("-resolved_at")[:limit]


def scan_latest() -> ScanRun | None:
    return ScanRun.objects.first()


def scan_latest_ok() -> ScanRun | None:
    return ScanRun.objects.filter(ok=True).first()


def audit_latest() -> AuditRun | None:
    return AuditRun.objects.first()


def audit_runs(*, limit: int = 20) -> list[AuditRun]:
    return list(AuditRun.objects.all()[:limit])


def audit_run_get(*, run_id: int) -> AuditRun | None:
    return AuditRun.objects.filter(pk=run_id).first()


def audit_trend(*, limit: int = 30) -> list[tuple[dt.datetime, int]]:
    """(time, score) of the last ``limit`` runs, oldest first."""
    rows = list(AuditRun.objects.order_by("-at", "-id").values_list("at", "score")[:limit])
    return rows[::-1]


@dataclass(frozen=True)
class RiskView:
    risk: Risk
    inherent: int
    residual: int
    controls: list[tuple[str, str]]  # (check id, latest status or "not run")
    review_overdue: bool


def _residual(risk: Risk, statuses: dict[str, str]) -> tuple[int, list[tuple[str, str]]]:
    """Controls that pass take up to 60 % off the inherent score (a warning counts half);
    failing, not-run or not-yet-available controls take nothing off: a failing control
    raises the residual score back towards the inherent one."""
    controls = [(c, statuses.get(c, "not run")) for c in risk.checks]
    inherent = risk.likelihood * risk.impact
    if not controls:
        return inherent, controls
    effective = sum(1.0 if s == "pass" else 0.5 if s == "warn" else 0.0 for _, s in controls)
    share = effective / len(controls)
    return max(1, round(inherent * (1 - REDUCTION * share))), controls


def _natural(risk: Risk) -> tuple:
    """T2 before T10."""
    head = risk.code.rstrip("0123456789")
    tail = risk.code[len(head):]
    return (head, int(tail) if tail else -1, risk.code)


def risks_list(*, today: dt.date | None = None) -> list[RiskView]:
    today = today or timezone.now().date()
    latest = audit_latest()
    statuses = {c["id"]: c["status"] for c in (latest.report.get("checks", [])
                                               if latest else [])}
    views = []
    for risk in sorted(Risk.objects.all(), key=_natural):
        residual, controls = _residual(risk, statuses)
        views.append(RiskView(risk, risk.likelihood * risk.impact, residual, controls,
                              risk.review_due < today))
    return views


def risk_get(*, risk_id: int) -> Risk | None:
    return Risk.objects.filter(pk=risk_id).first()


def check_choices() -> list[tuple[str, str]]:
    """(id, "id - title") of every self-audit check, for forms."""
    return [(c.id, f"{c.id} - {c.title}") for c in checks_load().values()]


def report_csp_style_hash() -> str:
    """The CSP source allowing the HTML report's one inline stylesheet, and nothing else."""
    return style_hash()

"""Scheduled posture work: the daily vulnerability scan, the daily self-audit and the
risk-review reminders. Each is idempotent (a re-run records one more run, raises no
duplicate alert: alerts are deduplicated while open)."""

from __future__ import annotations

from typing import Any

from strongroom.jobs.registry import scheduled

from . import services
from .errors import AdvisoryFormatError, NoAdvisoryData


@scheduled("posture-scan", schedule="17 3 * * *",
           description="vulnerability scan of the installed software against OSV advisories")
def posture_scan() -> dict[str, Any]:
    try:
        report = services.vulnerability_scan_run()
    except (NoAdvisoryData, AdvisoryFormatError) as exc:
        # Recorded and alerted by the service; the job reports it as a failure.
        raise RuntimeError(f"no advisory data: {exc.message}") from None
    return {"findings": len(report.matches), "advisories": report.run.advisories}


@scheduled("posture-self-audit", schedule="47 3 * * *",
           description="security self-audit, kept for the score's trend")
def posture_self_audit() -> dict[str, Any]:
    report = services.self_audit_run()
    return {"score": report.score.score, "critical_failed": len(report.score.critical_failed)}


@scheduled("posture-risk-reviews", schedule="0 8 * * 1",
           description="alert for each risk whose review date has passed")
def posture_risk_reviews() -> dict[str, Any]:
    return {"due": services.risk_reviews_remind()}

"""Alerts raised on what the apps below announce by signal (they never import alerts):
a job failing again and again (``strongroom/jobs/signals.py``) and an audit log that
does not verify (``strongroom/protection/audit/signals.py``)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from strongroom.jobs import signals as jobs_signals
from strongroom.protection.audit import signals as audit_signals

from .models import Severity
from .services import alert_raise


@receiver(jobs_signals.job_failing, dispatch_uid="alerts.job_failing")
def _job_failing(sender: Any, name: str, failures: int, **kwargs: Any) -> None:
    alert_raise(kind="jobs.failing", source="jobs", severity=Severity.HIGH,
                summary=f"Job {name} failed {failures} times in a row",
                detail={"job": name, "consecutive_failures": failures},
                dedupe_key=f"jobs.failing:{name}")


@receiver(audit_signals.verify_failed, dispatch_uid="alerts.audit_verify_failed")
def _audit_verify_failed(sender: Any, problems: int, events: int, first_kind: str,
                         first: str, **kwargs: Any) -> None:
    # A tampered log is the owner's business at once, not only the operator's terminal:
    # on the console's alert list, deduplicated while open.
    alert_raise(kind="audit.verify_failed", source="audit", severity=Severity.CRITICAL,
                summary=f"audit log verification failed ({problems} problem(s)); "
                        f"first: {first}"[:300],
                detail={"problems": problems, "events": events, "first_kind": first_kind},
                dedupe_key="audit.verify_failed")

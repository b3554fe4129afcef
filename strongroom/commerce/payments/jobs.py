"""Scheduled work of payments (run by `strongroom worker`)."""

from __future__ import annotations

from collections import Counter

from django.conf import settings

from strongroom.commerce.payments.reconcile import payments_reconcile
from strongroom.jobs.registry import scheduled

from .cspreports import csp_reports_prune


@scheduled("payments-reconcile", schedule="*/15 * * * *",
           description="Compare the last 7 days of payments with the gateway; repair "
                       "lost updates, flag what needs a person")
def payments_reconcile_job() -> dict[str, int] | str:
    # Idempotent: order statuses only move forward, alerts are de-duplicated.
    if settings.STRONGROOM_PAYMENTS.gateway == "none":
        return "no payment gateway configured"
    counts = Counter(finding.action for finding in payments_reconcile(days=7))
    return {action: counts.get(action, 0) for action in ("ok", "repaired", "flagged",
                                                          "error")}


@scheduled("payments-csp-prune", schedule="17 3 * * *",
           description="Delete CSP violation reports not seen for STRONGROOM_CSP_REPORT_DAYS "
                       "days (default 30), so the report table keeps room for new ones")
def csp_prune() -> dict[str, int]:
    return {"deleted": csp_reports_prune()}

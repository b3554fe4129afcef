"""Payments' scheduled work (found by ``strongroom.jobs.registry``)."""

from __future__ import annotations

from strongroom.jobs.registry import scheduled

from .cspreports import csp_reports_prune


@scheduled("payments-csp-prune", schedule="17 3 * * *",
           description="Delete CSP violation reports not seen for STRONGROOM_CSP_REPORT_DAYS "
                       "days (default 30), so the report table keeps room for new ones")
def csp_prune() -> dict[str, int]:
    return {"deleted": csp_reports_prune()}

"""The privacy app's scheduled and background work (strongroom/jobs/registry.py)."""

from __future__ import annotations

from strongroom.jobs.registry import background, scheduled

from .erasure import erasures_due
from .exports import export_build
from .internal.ledger import ledger_file_sync
from .requests import requests_overdue_alert
from .retention import retention_sweep


@scheduled("privacy-retention", schedule="30 3 * * *",
           description="Apply the retention periods: stale carts and sessions, unused "
                       "accounts (notice, then erasure), guest orders after the legal period")
def retention_job() -> dict[str, int]:
    return retention_sweep()


@scheduled("privacy-requests-overdue", schedule="0 * * * *",
           description="Alert on privacy requests past their one-month deadline")
def requests_overdue_job() -> dict[str, int]:
    return {"overdue": requests_overdue_alert()}


@scheduled("privacy-erasures-due", schedule="*/15 * * * *",
           description="Erase accounts whose erasure grace period is over")
def erasures_due_job() -> dict[str, int]:
    return {"erased": erasures_due()}


@scheduled("privacy-ledger-sync", schedule="10 * * * *",
           description="Append to the erasure ledger file any entry it lacks")
def ledger_sync_job() -> dict[str, int]:
    return {"appended": ledger_file_sync()}


@background("privacy-export-build", retries=3)
def export_build_task(*, export_id: str) -> str:
    return export_build(export_id=export_id)

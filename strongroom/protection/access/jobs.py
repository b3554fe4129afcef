"""Scheduled work of staff access (run by `strongroom worker`)."""

from __future__ import annotations

from strongroom.jobs.registry import scheduled
from strongroom.protection.access.staff import staff_disable_idle


@scheduled("staff-disable-idle", schedule="30 3 * * *",
           description="Disable staff accounts with no sign-in for 90 days")
def staff_disable_idle_job() -> dict[str, int]:
    # Idempotent: an account disabled by an earlier run is no longer a candidate.
    result = staff_disable_idle()
    return {"disabled": len(result.disabled), "kept (last owner)": len(result.kept)}

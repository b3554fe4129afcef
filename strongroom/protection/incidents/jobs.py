"""Incident response's background work (strongroom/jobs/registry.py): ids only."""

from __future__ import annotations

from strongroom.jobs.registry import background

from .notices import notices_send_batch


@background("incident-notices-send", retries=3)
def notices_send_task(*, incident_id: str) -> dict[str, int]:
    """Every batch until the scope is told (each batch skips those already told)."""
    total = {"sent": 0, "no_account": 0}
    while True:
        done = notices_send_batch(incident_id=incident_id)
        total["sent"] += done["sent"]
        total["no_account"] += done["no_account"]
        if not done["left"] or not (done["sent"] or done["no_account"]):
            return total

"""Incident response's background work (strongroom/jobs/registry.py): ids only."""

from __future__ import annotations

from strongroom.jobs.registry import background, scheduled

from .notices import notices_send_batch
from .rekey import secret_key_fallbacks_prune


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


@scheduled("secret-key-fallbacks-prune", schedule="40 4 * * *",
           description="delete secret keys kept by a routine rotation once their time is up")
def secret_key_fallbacks_prune_job() -> dict[str, int]:
    return {"deleted": secret_key_fallbacks_prune()}

"""Scheduled work of the audit log (run by `strongroom worker`)."""

from __future__ import annotations

from strongroom.jobs.registry import scheduled
from strongroom.protection.audit.services import audit_checkpoint_create


@scheduled("audit-checkpoint", schedule="0 * * * *",
           description="Sign every audit chain's head (database and checkpoints.jsonl)")
def audit_checkpoint() -> dict[str, int]:
    # Idempotent: a second run signs the same heads again under the next number.
    result = audit_checkpoint_create()
    return {"checkpoint": result.number, "events checked": result.events_checked}

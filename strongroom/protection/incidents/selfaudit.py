"""The incident plan's check in the security self-audit (posture runs it; it lives here
because posture sits below incidents and does not read incidents' models)."""

from __future__ import annotations

from strongroom.protection.posture.selfaudit import Context, Outcome, bad, check, ok

from .models import Kind
from .playbooks import playbook_steps


@check("incidents.plan", title="An incident response plan with playbooks",
       practice="incident_response", pci="12.10.1", asvs="16.1.1", weight=2)
def incidents_plan(ctx: Context) -> Outcome:
    # Playbooks ship with the store (incidents/playbooks/<kind>.md); a Playbook row is the
    # store's own edit of one. The plan is there when every kind has steps to follow.
    empty = [k.value for k in Kind if not playbook_steps(kind=k.value)]
    if empty:
        return bad(f"no playbook steps for: {', '.join(empty)}")
    return ok(f"a playbook for each of the {len(Kind)} incident types")

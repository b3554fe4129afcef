"""Gates on a staff member's access to customer data, registered by the apps above.

Access sits below the apps that decide extra conditions (people's training gate: "no
customer data until your training is current"), so it cannot import them. They register
a gate here at start-up; ``data_access_refusal`` asks every gate, and the two places that
hand out customer data ask it: ``selectors.policy_of`` (what a page shows: nothing in the
clear while refused) and ``services.field_reveal`` (every reveal, from any route, is
refused and audited). A gate that raises refuses (fail closed).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Refusal:
    """Why a staff member may not see customer data now, in words for them, and the
    stable names (e.g. training module slugs) the audit event records."""

    message: str
    gate: str
    names: tuple[str, ...] = field(default=())


Gate = Callable[[Any], Refusal | None]
_GATES: list[Gate] = []


def gate_register(gate: Gate) -> None:
    if gate not in _GATES:
        _GATES.append(gate)


def data_access_refusal(viewer: Any) -> Refusal | None:
    """The first gate's refusal for ``viewer``, or None. Cached on the user object for
    the request (like its role): completing training applies from the next request."""
    if viewer is None or not getattr(viewer, "is_authenticated", False):
        return None
    if hasattr(viewer, "_access_refusal"):
        return viewer._access_refusal
    refusal = None
    for gate in _GATES:
        try:
            refusal = gate(viewer)
        except Exception:  # noqa: BLE001 - a broken gate must refuse, never open
            refusal = Refusal("Access to customer data is paused: a check failed.",
                              gate=getattr(gate, "__name__", "gate"))
        if refusal is not None:
            break
    viewer._access_refusal = refusal
    return refusal


def refusal_forget(viewer: Any) -> None:
    """Drop the cached answer (after the viewer completed what the gate asked)."""
    if hasattr(viewer, "_access_refusal"):
        del viewer._access_refusal

"""Training reads: which modules a role needs, who is current, and the training gate.

A completion is current while its module version is the module's current version and
it is less than 12 months old (PCI DSS 12.6.1). The gate refuses customer data to a
staff member with any required module not current; it is registered with access (see
``access.gates``) and can be turned off with ``STRONGROOM_TRAINING_GATE=off``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone

from strongroom.protection.access.gates import Refusal
from strongroom.protection.access.roles import Role
from strongroom.protection.access.selectors import role_of, staff_list
from strongroom.protection.people.errors import ModuleNotFound
from strongroom.protection.people.models import TrainingCompletion
from strongroom.protection.people.training.catalog import Module, modules_load


def modules_all() -> list[Module]:
    return sorted(modules_load().values(), key=lambda m: m.title)


def module_get(*, slug: str) -> Module:
    module = modules_load().get(slug)
    if module is None:
        raise ModuleNotFound("No such training module.")
    return module


def modules_required(*, role: Role | None) -> list[Module]:
    return [m for m in modules_all() if m.applies_to(role)]


def completions_current(*, user: Any, now=None) -> dict[str, TrainingCompletion]:
    """The user's current completion of each module (latest first wins)."""
    now = now or timezone.now()
    modules = modules_load()
    out: dict[str, TrainingCompletion] = {}
    for c in TrainingCompletion.objects.filter(user_id=user.pk, expires_at__gt=now
                                               ).order_by("-completed_at"):
        module = modules.get(c.module)
        if module is not None and c.version == module.version and c.module not in out:
            out[c.module] = c
    return out


def training_missing(*, user: Any, now=None) -> list[Module]:
    """The modules ``user``'s role needs that are not current (outdated, expired, never)."""
    done = completions_current(user=user, now=now)
    return [m for m in modules_required(role=role_of(user)) if m.slug not in done]


def training_gate(viewer: Any) -> Refusal | None:
    """The access gate: customer data only with current training for the role."""
    if not getattr(settings, "STRONGROOM_TRAINING_GATE", True):
        return None
    if role_of(viewer) is None:
        return None  # not a console user: access's role table already gives nothing
    missing = training_missing(user=viewer)
    if not missing:
        return None
    titles = ", ".join(f"“{m.title}”" for m in missing)
    return Refusal(f"Customer data is masked for you until your training is current. "
                   f"Take: {titles} (Console → Training).", gate="training",
                   names=tuple(m.slug for m in missing))


@dataclass(frozen=True)
class StatusRow:
    user: Any
    module: Module
    completion: TrainingCompletion | None
    state: str  # current | expired | outdated | never


def training_status(*, now=None) -> list[StatusRow]:
    """Every active staff member and each module their role needs (the compliance
    table and ``strongroom training status``)."""
    now = now or timezone.now()
    rows: list[StatusRow] = []
    users = [u for u in staff_list() if u.is_active]
    latest: dict[tuple[str, str], TrainingCompletion] = {}
    for c in TrainingCompletion.objects.filter(user__in=users).order_by("completed_at"):
        latest[(str(c.user_id), c.module)] = c
    for user in users:
        for module in modules_required(role=role_of(user)):
            c = latest.get((str(user.pk), module.slug))
            state = ("never" if c is None else "outdated" if c.version != module.version
                     else "expired" if c.expires_at <= now else "current")
            rows.append(StatusRow(user, module, c, state))
    return rows

"""Capabilities other apps bring (backups, privacy, people, incidents, the job worker).

A check that needs one asks here first. While the app is not installed -- or is but
does not have the model this check reads yet -- the answer is ``n/a`` with that reason,
NEVER a pass: "we could not look" must not read as "all is well". Once the app lands
with the model, the check starts judging; wiring the exact fields is the one place to
adjust (see each check)."""

from __future__ import annotations

from django.apps import apps

APPS = {
    "jobs": ("strongroom.jobs", "jobs"),
    "backups": ("strongroom.protection.backups", "backups"),
    "privacy": ("strongroom.protection.privacy", "privacy"),
    "people": ("strongroom.protection.people", "people"),
    "incidents": ("strongroom.protection.incidents", "incidents"),
}


def capability_model(capability: str, model: str) -> tuple[type | None, str]:
    """(the model class, "") when it is there; else (None, why not)."""
    module, label = APPS[capability]
    if not apps.is_installed(module):
        return None, f"not available yet: the {capability} capability ({module}) is not " \
                     "installed in this store"
    try:
        return apps.get_model(label, model), ""
    except LookupError:
        return None, f"not available yet: {module} has no {model} model for this check"

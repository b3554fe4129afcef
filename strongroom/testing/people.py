"""Training for test staff: ``training_complete(user)`` records a current completion of
every training module (as if each quiz had just been passed), so tests about roles and
reveals are not refused by the training gate; gate tests make untrained staff with
``staff_make(..., trained=False)``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone


def training_complete(user: Any, *, modules: list[str] | None = None) -> None:
    from strongroom.protection.access.gates import refusal_forget
    from strongroom.protection.people.models import TrainingCompletion
    from strongroom.protection.people.training.catalog import modules_load

    now = timezone.now()
    for module in modules_load().values():
        if modules is None or module.slug in modules:
            TrainingCompletion.objects.create(
                user_id=user.pk, module=module.slug, version=module.version, score=100,
                completed_at=now, expires_at=now + dt.timedelta(days=365))
    refusal_forget(user)

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


def quiz_right_answers(slug: str, questions: list) -> dict[str, str]:
    """The right answer to each question of an attempt, chosen by its text as a person
    would (an option's value is its place in that attempt's shuffled list)."""
    from strongroom.protection.people.training.selectors import module_get

    module = module_get(slug=slug)
    out = {}
    for q in questions:
        question = module.questions[int(q.key[1:])]
        right = question.options[next(iter(question.correct))]
        out[q.key] = next(value for value, text in q.options if text == right)
    return out

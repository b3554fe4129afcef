"""Training writes: hand out a quiz, grade it, record the completion.

The quiz page gets question and option texts in a random order, never which option is
right; the answers are graded here against the module file. An attempt is graded once
(row lock), only for the account that started it, only for its module and only while
that module version is current: a replayed submission, someone else's attempt id or
another module's answers raise AttemptInvalid and change nothing.

Threat: passing without learning. An option's value is its place in this attempt's
shuffled list, not in the file, so "always answer 1" or answers copied from another
attempt mean nothing; and after ``FAILS_BEFORE_PAUSE`` failed attempts within ``PAUSE``
the quiz is paused (QuizPaused), so guessing through retakes is slow and every failure
is in the audit log.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from strongroom.protection.access.gates import refusal_forget
from strongroom.protection.audit.events import AuditEvent
from strongroom.protection.audit.services import audit_record
from strongroom.protection.people.errors import AttemptInvalid, QuizPaused
from strongroom.protection.people.models import QuizAttempt, TrainingCompletion
from strongroom.protection.people.training.selectors import module_get

VALID_FOR = dt.timedelta(days=365)  # PCI DSS 12.6.1: at least once every 12 months
ATTEMPT_TTL = dt.timedelta(hours=2)
FAILS_BEFORE_PAUSE = 3
PAUSE = dt.timedelta(hours=1)
_rng = secrets.SystemRandom()


@dataclass(frozen=True)
class QuizQuestion:
    key: str  # "q<index in file>"
    text: str
    options: list[tuple[str, str]]  # (value, text) in shown order; value = shown place


@dataclass(frozen=True)
class QuizResult:
    score: int
    passed: bool
    pass_mark: int


def quiz_start(*, user: Any, slug: str, now: dt.datetime | None = None
               ) -> tuple[QuizAttempt, list[QuizQuestion]]:
    """A new attempt in a fresh random order. Raises QuizPaused after repeated failures."""
    module = module_get(slug=slug)
    _pause_check(user=user, module=module, now=now or timezone.now())
    order = [[qi, _shuffled(range(len(q.options)))]
             for qi, q in enumerate(module.questions)]
    _rng.shuffle(order)
    attempt = QuizAttempt.objects.create(user_id=user.pk, module=module.slug,
                                         version=module.version, order=order)
    return attempt, quiz_questions(attempt=attempt)


def quiz_questions(*, attempt: QuizAttempt) -> list[QuizQuestion]:
    module = module_get(slug=attempt.module)
    return [QuizQuestion(f"q{qi}", module.questions[qi].text,
                         [(str(place), module.questions[qi].options[oi])
                          for place, oi in enumerate(opts)])
            for qi, opts in attempt.order]


def quiz_submit(*, user: Any, slug: str, attempt_id: Any, answers: dict[str, str],
                request: Any = None, now: dt.datetime | None = None) -> QuizResult:
    """Grade ``answers`` ({"q0": "2", ...}) for the attempt; records TRAINING_COMPLETED
    and a completion when passed, TRAINING_FAILED otherwise. Assumes the caller checked
    that ``user`` is a signed-in staff member."""
    now = now or timezone.now()
    module = module_get(slug=slug)
    _pause_check(user=user, module=module, now=now)  # attempts started before the pause
    with transaction.atomic():
        attempt = (QuizAttempt.objects.select_for_update()
                   .filter(pk=_uuid(attempt_id), user_id=user.pk, module=module.slug,
                           version=module.version, graded_at=None,
                           created_at__gt=now - ATTEMPT_TTL).first())
        if attempt is None:
            raise AttemptInvalid("This quiz has already been graded or has expired: "
                                 "start the quiz again.")
        right = sum(1 for qi, opts in attempt.order
                    if _chosen(opts, answers.get(f"q{qi}")) in module.questions[qi].correct)
        score = round(100 * right / len(attempt.order))
        passed = score >= module.pass_mark
        attempt.graded_at, attempt.score = now, score
        attempt.save(update_fields=["graded_at", "score"])
        reason = f"{module.slug} v{module.version} score {score}%"
        if passed:
            completion = TrainingCompletion.objects.create(
                user_id=user.pk, module=module.slug, version=module.version, score=score,
                completed_at=now, expires_at=now + VALID_FOR)
            audit_record(event=AuditEvent.TRAINING_COMPLETED, actor=user, object=completion,
                         reason=reason, request=request)
        else:
            audit_record(event=AuditEvent.TRAINING_FAILED, actor=user, object=attempt,
                         reason=reason, request=request)
    refusal_forget(user)
    return QuizResult(score, passed, module.pass_mark)


def _pause_check(*, user: Any, module: Any, now: dt.datetime) -> None:
    failed = QuizAttempt.objects.filter(user_id=user.pk, module=module.slug,
                                        version=module.version, graded_at__gt=now - PAUSE,
                                        score__lt=module.pass_mark)
    if failed.count() >= FAILS_BEFORE_PAUSE:
        resume = failed.order_by("graded_at").first().graded_at + PAUSE
        minutes = max(1, int((resume - now).total_seconds() // 60) + 1)
        raise QuizPaused(f"{FAILS_BEFORE_PAUSE} attempts failed within an hour: read the "
                         f"module again; the quiz opens in {minutes} minute(s).")


def _chosen(opts: list[int], value: Any) -> int | None:
    """The file index of the option shown at place ``value`` in this attempt."""
    place = _int(value)
    return opts[place] if place is not None and 0 <= place < len(opts) else None


def _shuffled(values: range) -> list[int]:
    out = list(values)
    _rng.shuffle(out)
    return out


def _int(value: Any) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


def _uuid(value: Any) -> Any:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return uuid.UUID(int=0)  # matches no attempt

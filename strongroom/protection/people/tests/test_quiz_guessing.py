"""A staff member who wants the gate open without learning: answer values mean nothing
outside their attempt, and guessing through retakes is paused after three failures (the
module can still be read; every failure is audited)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from strongroom.protection.access.roles import Role
from strongroom.protection.audit.events import AuditEvent
from strongroom.protection.people.errors import QuizPaused
from strongroom.protection.people.training import services
from strongroom.protection.people.training.selectors import module_get, training_missing
from strongroom.testing.auditing import audit_events_since, audit_mark
from strongroom.testing.people import quiz_right_answers
from strongroom.testing.staff import console_client, staff_make

pytestmark = pytest.mark.django_db


def _wrong(questions, right: dict[str, str]) -> dict[str, str]:
    return {q.key: next(v for v, _ in q.options if v != right[q.key]) for q in questions}


def test_an_answer_value_is_the_shown_place_not_the_file_index():
    user = staff_make(Role.SUPPORT, trained=False)
    module = module_get(slug="phishing")
    attempt, questions = services.quiz_start(user=user, slug="phishing")
    for q, (qi, opts) in zip(questions, attempt.order, strict=True):
        assert [v for v, _ in q.options] == [str(i) for i in range(len(opts))]
        assert [t for _, t in q.options] == [module.questions[qi].options[i] for i in opts]
    # The file's index of each right answer, posted as before, is not "the right answer".
    by_file = {q.key: str(next(iter(module.questions[int(q.key[1:])].correct)))
               for q in questions}
    right = quiz_right_answers("phishing", questions)
    result = services.quiz_submit(user=user, slug="phishing", attempt_id=attempt.pk,
                                  answers=by_file)
    expected = round(100 * sum(by_file[k] == right[k] for k in right) / len(right))
    assert result.score == expected
    junk = iter(["-1", "99", "9" * 5000, "", "1.0"])  # out of range or not a place
    attempt, questions = services.quiz_start(user=user, slug="phishing")
    assert services.quiz_submit(user=user, slug="phishing", attempt_id=attempt.pk,
                                answers={q.key: next(junk) for q in questions}).score == 0


def test_three_failures_pause_the_quiz_then_it_opens_again():
    user = staff_make(Role.SUPPORT, trained=False)
    now = timezone.now()
    spare, spare_questions = services.quiz_start(user=user, slug="phishing", now=now)
    mark = audit_mark()
    for _ in range(3):
        attempt, questions = services.quiz_start(user=user, slug="phishing", now=now)
        wrong = _wrong(questions, quiz_right_answers("phishing", questions))
        assert not services.quiz_submit(user=user, slug="phishing", attempt_id=attempt.pk,
                                        answers=wrong, now=now).passed
    assert audit_events_since(mark) == [AuditEvent.TRAINING_FAILED] * 3
    with pytest.raises(QuizPaused, match="opens in"):
        services.quiz_start(user=user, slug="phishing", now=now)
    with pytest.raises(QuizPaused):  # an attempt started before the pause waits too
        services.quiz_submit(user=user, slug="phishing", attempt_id=spare.pk,
                             answers=quiz_right_answers("phishing", spare_questions), now=now)
    page = console_client(user).get(reverse("console:training_module", args=["phishing"]))
    html = page.content.decode()
    assert page.status_code == 200 and 'id="quiz-paused"' in html and "quiz-form" not in html
    assert audit_events_since(mark)[-1:] != [AuditEvent.TRAINING_COMPLETED]
    assert "phishing" in [m.slug for m in training_missing(user=user)]
    later = now + dt.timedelta(hours=1, minutes=1)
    attempt, questions = services.quiz_start(user=user, slug="phishing", now=later)
    assert services.quiz_submit(user=user, slug="phishing", attempt_id=attempt.pk,
                                answers=quiz_right_answers("phishing", questions),
                                now=later).passed
    # Other modules are not paused by this one.
    services.quiz_start(user=user, slug="passwords", now=now)

"""Training: quiz grading on the server, replay and swapped-module submissions, versions
and expiry, and the gate on reveals (console page) for an untrained support agent."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from strongroom.protection.access.roles import Role
from strongroom.protection.audit.events import AuditEvent
from strongroom.protection.people.errors import AttemptInvalid
from strongroom.protection.people.models import TrainingCompletion
from strongroom.protection.people.training import selectors as training
from strongroom.protection.people.training import services
from strongroom.protection.people.training.catalog import CatalogError, module_parse
from strongroom.testing.people import quiz_right_answers, training_complete
from strongroom.testing.staff import console_client, staff_make

pytestmark = pytest.mark.django_db


def _right(slug: str, questions) -> dict[str, str]:
    return quiz_right_answers(slug, questions)


def _events(kind: AuditEvent) -> int:
    from strongroom.protection.audit.models import AuditEntry  # noqa: PLC0415

    return AuditEntry.objects.filter(event=int(kind)).count()


def test_quiz_page_never_shows_which_answer_is_right():
    user = staff_make(Role.SUPPORT, trained=False)
    response = console_client(user).get(reverse("console:training_module", args=["phishing"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "[x]" not in html and "correct" not in html.lower()
    assert "Check with the owner" in html  # the option text is there, unmarked


def test_passing_records_completion_and_replay_changes_nothing():
    user = staff_make(Role.SUPPORT, trained=False)
    attempt, questions = services.quiz_start(user=user, slug="phishing")
    answers = _right("phishing", questions)
    result = services.quiz_submit(user=user, slug="phishing", attempt_id=attempt.pk,
                                  answers=answers)
    assert result.passed and result.score == 100
    assert TrainingCompletion.objects.filter(user=user, module="phishing").count() == 1
    with pytest.raises(AttemptInvalid):
        services.quiz_submit(user=user, slug="phishing", attempt_id=attempt.pk,
                             answers=answers)
    assert TrainingCompletion.objects.filter(user=user).count() == 1


def test_answers_for_another_module_or_account_change_nothing():
    user, other = staff_make(Role.SUPPORT, trained=False), staff_make(Role.SUPPORT, trained=False)
    attempt, questions = services.quiz_start(user=user, slug="phishing")
    with pytest.raises(AttemptInvalid):
        services.quiz_submit(user=user, slug="passwords", attempt_id=attempt.pk,
                             answers=_right("phishing", questions))
    with pytest.raises(AttemptInvalid):
        services.quiz_submit(user=other, slug="phishing", attempt_id=attempt.pk,
                             answers=_right("phishing", questions))
    with pytest.raises(AttemptInvalid):
        services.quiz_submit(user=user, slug="phishing", attempt_id="not-a-uuid", answers={})
    assert not TrainingCompletion.objects.exists()


def test_failing_is_audited_and_records_no_completion():
    user = staff_make(Role.SUPPORT, trained=False)
    before = _events(AuditEvent.TRAINING_FAILED)
    attempt, _ = services.quiz_start(user=user, slug="phishing")
    result = services.quiz_submit(user=user, slug="phishing", attempt_id=attempt.pk,
                                  answers={"q0": "99"})
    assert not result.passed and result.score == 0
    assert not TrainingCompletion.objects.exists()
    assert _events(AuditEvent.TRAINING_FAILED) == before + 1


def test_expired_or_old_version_completion_is_not_current():
    user = staff_make(Role.SUPPORT, trained=False)
    module = training.module_get(slug="phishing")
    now = timezone.now()
    TrainingCompletion.objects.create(user=user, module="phishing", version=module.version,
                                      score=100, completed_at=now - dt.timedelta(days=400),
                                      expires_at=now - dt.timedelta(days=35))
    TrainingCompletion.objects.create(user=user, module="phishing", version=module.version - 1
                                      if module.version > 1 else 0, score=100,
                                      completed_at=now, expires_at=now + dt.timedelta(days=1))
    assert "phishing" in [m.slug for m in training.training_missing(user=user)]
    states = {r.module.slug: r.state for r in training.training_status() if r.user == user}
    assert states["phishing"] in {"expired", "outdated"}


def test_module_file_errors_are_clear():
    with pytest.raises(CatalogError, match="front matter"):
        module_parse(slug="x", text="# no front matter")
    with pytest.raises(CatalogError, match="one \\[x\\]"):
        module_parse(slug="x", text="---\ntitle: T\nversion: 1\n---\nbody\n## Quiz\n"
                                    "### Q?\n- [ ] a\n- [ ] b\n")


def test_module_markdown_is_escaped():
    from strongroom.protection.people.training.render import markdown_html

    html = markdown_html("# Hi <script>x</script>\n\n- **bold** <img src=x>")
    assert "<script>" not in html and "<img" not in html and "<strong>bold</strong>" in html


def test_training_status_command_lists_and_exits_1_when_someone_is_not_current():
    import json
    from io import StringIO

    from django.core.management import call_command

    trained = staff_make(Role.SUPPORT)
    untrained = staff_make(Role.FULFILMENT, trained=False)
    out = StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("training", "status", "--format", "json", stdout=out)
    assert exit_info.value.code == 1
    rows = json.loads(out.getvalue())
    states = {(r["staff_id"], r["module"]): r["state"] for r in rows}
    assert states[(str(trained.pk), "card-data")] == "current"
    assert states[(str(untrained.pk), "customer-data")] == "never"
    assert (str(untrained.pk), "card-data") not in states  # fulfilment does not need it
    TrainingCompletion.objects.filter(user=trained).delete()
    training_complete(untrained)
    training_complete(trained)
    text = StringIO()
    call_command("training", "status", stdout=text)  # everyone current: exit 0
    assert "0 not current" in text.getvalue()


def test_questions_and_options_come_in_random_order():
    user = staff_make(Role.SUPPORT, trained=False)
    orders = {tuple((qi, tuple(opts)) for qi, opts in
                    services.quiz_start(user=user, slug="phishing")[0].order)
              for _ in range(12)}
    assert len(orders) > 1  # 3! x (3!)^3 = 1296 orders: twelve identical draws < 1e-30

"""The training gate: an untrained support agent sees customer data masked only, cannot
reveal (refusal audited, banner naming the modules), and can after passing the quizzes."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse

from strongroom.protection.access.roles import Role
from strongroom.protection.audit.events import AuditEvent
from strongroom.protection.people.training import selectors as training
from strongroom.protection.people.training import services
from strongroom.testing.factories import user_make
from strongroom.testing.people import quiz_right_answers
from strongroom.testing.staff import console_client, staff_make

pytestmark = pytest.mark.django_db


def _count(kind: AuditEvent) -> int:
    from strongroom.protection.audit.models import AuditEntry  # noqa: PLC0415

    return AuditEntry.objects.filter(event=int(kind)).count()


def _reveal(client, customer):
    return client.post(reverse("console:customer_reveal", args=[customer.pk]),
                       {"groups": ["email"], "reason": "customer_request", "ticket": ""})


def _pass_all(user):
    for module in training.modules_required(role=Role.SUPPORT):
        attempt, questions = services.quiz_start(user=user, slug=module.slug)
        answers = quiz_right_answers(module.slug, questions)
        assert services.quiz_submit(user=user, slug=module.slug, attempt_id=attempt.pk,
                                    answers=answers).passed


def test_untrained_support_agent_is_refused_then_allowed_after_the_quiz():
    customer = user_make(email="jane.doe@example.com", full_name="Jane Doe")
    agent = staff_make(Role.SUPPORT, trained=False)
    client = console_client(agent)
    page = client.get(reverse("console:customer_detail", args=[customer.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="training-banner"' in html and "Phishing and social engineering" in html
    assert "Jane Doe" not in html and "jane.doe@example.com" not in html  # masked only

    refused = _count(AuditEvent.TRAINING_GATE_REFUSED)
    revealed = _count(AuditEvent.FIELD_REVEALED)
    response = _reveal(client, customer)
    assert response.status_code == 403
    assert "jane.doe@example.com" not in response.content.decode()
    assert _count(AuditEvent.TRAINING_GATE_REFUSED) == refused + 1
    assert _count(AuditEvent.FIELD_REVEALED) == revealed

    _pass_all(agent)
    client = console_client(agent)
    response = _reveal(client, customer)
    assert response.status_code == 200
    assert "jane.doe@example.com" in response.content.decode()
    assert 'id="training-banner"' not in response.content.decode()
    assert _count(AuditEvent.FIELD_REVEALED) == revealed + 1


def test_trained_agent_is_not_gated_and_the_gate_can_be_turned_off():
    customer = user_make(email="jo@example.com", full_name="Jo Bloggs")
    agent = staff_make(Role.SUPPORT)
    assert _reveal(console_client(agent), customer).status_code == 200
    untrained = staff_make(Role.SUPPORT, trained=False)
    with override_settings(STRONGROOM_TRAINING_GATE=False):
        assert _reveal(console_client(untrained), customer).status_code == 200


def test_quiz_through_the_console_and_compliance_table():
    owner = staff_make(Role.OWNER)
    agent = staff_make(Role.SUPPORT, trained=False)
    client = console_client(agent)
    page = client.get(reverse("console:training_module", args=["phishing"]))
    attempt = page.context["attempt"]
    answers = quiz_right_answers("phishing", page.context["questions"])
    url = reverse("console:training_module", args=["phishing"])
    assert client.post(url, {"attempt": str(attempt.pk), **answers}).status_code == 302
    replay = client.post(url, {"attempt": str(attempt.pk), **answers}, follow=True)
    assert "already been graded" in replay.content.decode()
    table = console_client(owner).get(reverse("console:training_compliance"))
    assert table.status_code == 200 and "Current" in table.content.decode()
    assert console_client(agent).get(reverse("console:training_compliance")).status_code == 403

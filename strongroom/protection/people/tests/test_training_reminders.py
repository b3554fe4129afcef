"""Training reminders: staff whose training expires within 30 days get one email naming
the module and date; not again for the same completion; not for distant expiries,
disabled accounts, or modules their role does not need."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from strongroom.jobs.registry import jobs_all
from strongroom.protection.access.roles import Role
from strongroom.protection.people.models import TrainingCompletion
from strongroom.protection.people.training.reminders import training_reminders_send
from strongroom.testing.staff import staff_make

pytestmark = pytest.mark.django_db


def test_expiring_training_is_reminded_once(django_capture_on_commit_callbacks):
    soon, later, gone = (staff_make(Role.SUPPORT), staff_make(Role.SUPPORT),
                         staff_make(Role.SUPPORT))
    now = timezone.now()
    TrainingCompletion.objects.filter(user__in=[soon, gone], module="passwords").update(
        expires_at=now + dt.timedelta(days=10))
    TrainingCompletion.objects.filter(user=later).update(expires_at=now + dt.timedelta(days=90))
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    job = jobs_all()["training-reminders"]
    with django_capture_on_commit_callbacks(execute=True):
        assert job.func() == {"reminded": 1}
        assert training_reminders_send() == {"reminded": 0}  # once per completion
    [message] = mail.outbox
    assert message.to == [soon.email] and "expires soon" in message.subject
    title = "Passwords"
    assert title.lower() in message.body.lower() and "/console/training/" in message.body
    expected = (now + dt.timedelta(days=10)).strftime("%Y-%m-%d")
    assert expected in message.body
    # A fulfilment role does not need the card-data module: no reminder for it.
    packer = staff_make(Role.FULFILMENT)
    TrainingCompletion.objects.filter(user=packer, module="card-data").update(
        expires_at=now + dt.timedelta(days=5))
    with django_capture_on_commit_callbacks(execute=True):
        assert training_reminders_send() == {"reminded": 0}

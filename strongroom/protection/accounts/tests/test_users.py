"""Accounts are made with their vault subject by the creating service, never by save()."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from strongroom.protection.accounts.errors import MissingSubject
from strongroom.protection.accounts.services import user_create
from strongroom.protection.vault.models import Subject

pytestmark = pytest.mark.django_db


def test_user_create_makes_the_account_and_its_own_subject() -> None:
    before = Subject.objects.count()
    user = user_create(email="Ann@Example.test", password=None, full_name="Ann")
    other = user_create(email="bob@example.test", password=None, email_verified=False)
    assert Subject.objects.count() == before + 2
    assert user.subject_id != other.subject_id
    assert user.email_verified_at is not None and other.email_verified_at is None
    assert not user.has_usable_password()


def test_an_account_without_a_subject_is_refused_not_silently_given_one() -> None:
    before = (Subject.objects.count(), get_user_model().objects.count())
    with pytest.raises(MissingSubject):
        get_user_model()(email="nobody@example.test", full_name="No Key").save()
    assert (Subject.objects.count(), get_user_model().objects.count()) == before

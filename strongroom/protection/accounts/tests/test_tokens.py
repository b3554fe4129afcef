from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from strongroom.protection.accounts.models import ApiToken
from strongroom.protection.accounts.services import user_create
from strongroom.protection.accounts.tokens import (
    api_token_authenticate,
    api_token_create,
    api_token_hash,
    api_token_revoke,
    api_token_revoke_all,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return user_create(email="tok@example.test", password="correct horse battery staple")


def test_only_the_hash_is_stored_and_the_raw_token_authenticates(user):
    token, raw = api_token_create(user=user, name="cli")
    assert raw.startswith("sr_") and len(raw) > 40
    assert token.token_hash == api_token_hash(raw) and len(token.token_hash) == 64
    assert not ApiToken.objects.filter(token_hash=raw).exists()
    assert api_token_authenticate(raw=raw) == user
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.parametrize("raw", [None, "", "sr_", "sr_wrong", "nope", "sr_" + "a" * 500])
def test_wrong_tokens_fail(user, raw):
    api_token_create(user=user)
    assert api_token_authenticate(raw=raw) is None


def test_near_miss_fails(user):
    _, raw = api_token_create(user=user)
    assert api_token_authenticate(raw=raw[:-1] + ("A" if raw[-1] != "A" else "B")) is None


def test_expiry_and_inactive_user(user):
    now = timezone.now()
    token, raw = api_token_create(user=user, now=now, lifetime=timedelta(hours=1))
    assert api_token_authenticate(raw=raw, now=now + timedelta(minutes=59)) == user
    assert api_token_authenticate(raw=raw, now=now + timedelta(hours=1)) is None
    user.is_active = False
    user.save()
    assert api_token_authenticate(raw=raw, now=now) is None


def test_revoke_one_and_all(user):
    first, raw1 = api_token_create(user=user)
    _, raw2 = api_token_create(user=user)
    api_token_revoke(token=first)
    assert api_token_authenticate(raw=raw1) is None
    assert api_token_authenticate(raw=raw2) == user
    assert api_token_revoke_all(user=user) == 1
    assert api_token_authenticate(raw=raw2) is None


def test_last_used_is_not_rewritten_on_every_request(user):
    now = timezone.now()
    token, raw = api_token_create(user=user, now=now)
    api_token_authenticate(raw=raw, now=now)
    api_token_authenticate(raw=raw, now=now + timedelta(seconds=30))
    token.refresh_from_db()
    assert token.last_used_at == now

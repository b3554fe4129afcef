"""Crypto-shredding a person's data key also ends their account's access: a session
cookie or an API token must not keep acting as the erased account."""

from __future__ import annotations

import pytest

from strongroom.protection.accounts.models import ApiToken, User, UserSession
from strongroom.protection.accounts.tokens import api_token_create
from strongroom.protection.audit.events import AuditEvent
from strongroom.protection.audit.models import AuditEntry
from strongroom.protection.vault import services as vault_services
from strongroom.testing.factories import user_make

from .conftest import PASSWORD, login

pytestmark = pytest.mark.django_db


def _api_orders(client, raw: str):
    return client.get("/api/orders", HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_shredding_signs_out_revokes_tokens_and_deactivates(make_client, customer):
    other = user_make(email="otto@example.test", password=PASSWORD)
    browser, others_browser, api = make_client(), make_client(), make_client()
    assert login(browser, customer.email).status_code == 302
    assert login(others_browser, other.email).status_code == 302
    assert browser.get("/account/").status_code == 200
    _, raw = api_token_create(user=customer, name="phone")
    _, others_raw = api_token_create(user=other, name="phone")
    assert _api_orders(api, raw).status_code == 200

    vault_services.subject_shred(subject_id=customer.subject_id)

    assert browser.get("/account/").status_code == 302  # signed out
    assert _api_orders(api, raw).status_code == 401
    assert not UserSession.objects.filter(user=customer).exists()
    assert not ApiToken.objects.filter(user=customer).exists()
    assert User.objects.get(pk=customer.pk).is_active is False
    assert AuditEntry.objects.filter(event=AuditEvent.SESSION_REVOKED,
                                     subject_id=customer.subject_id).exists()
    # Nobody else is touched.
    assert others_browser.get("/account/").status_code == 200
    assert _api_orders(api, others_raw).status_code == 200
    assert User.objects.get(pk=other.pk).is_active is True


def test_a_shredded_account_cannot_sign_in_again(make_client, customer):
    email = customer.email
    vault_services.subject_shred(subject_id=customer.subject_id)
    browser = make_client()
    login(browser, email)
    assert browser.get("/account/").status_code == 302
    assert not UserSession.objects.filter(user=customer).exists()

from __future__ import annotations

import pytest

from strongroom.protection.access.models import MarketingConsent
from strongroom.protection.privacy.models import ConsentRecord

from .conftest import assert_error

pytestmark = pytest.mark.django_db


def test_consent_over_the_api_is_recorded_with_proof(api, token, user):
    body = api.get("/api/privacy/consents", token=token).json()
    assert body["marketing_email"] is False and body["history"] == []
    body = api.put("/api/privacy/consents", {"purpose": "marketing_email", "agreed": True},
                   token=token).json()
    assert body["marketing_email"] is True
    assert body["history"][0]["method"] == "api"
    assert body["history"][0]["wording"] == body["wording"]["marketing_email"]
    record = ConsentRecord.objects.get(user=user)
    assert record.method == "api" and record.policy_version is not None
    api.put("/api/privacy/consents", {"purpose": "marketing_email", "agreed": False},
            token=token)
    assert not MarketingConsent.objects.get(user=user).agreed


def test_bad_input_is_422_and_no_token_is_401(api, token, user):
    assert_error(api.put("/api/privacy/consents", {"purpose": "tracking", "agreed": True},
                         token=token), 422)
    assert_error(api.put("/api/privacy/consents", {"purpose": "marketing_email"},
                         token=token), 422)
    assert api.get("/api/privacy/consents").status_code == 401
    assert not ConsentRecord.objects.exists()

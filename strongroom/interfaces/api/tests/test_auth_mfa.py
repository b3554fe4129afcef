"""The attack of issue 11 item 1: a customer with a second factor got a bearer token (and
with it their orders' names, emails, phones and addresses) from the password alone, with
no audit event and no notice. The token exchange now asks for the same second factor as
the browser, is audited like a sign-in and tells the owner."""

from __future__ import annotations

import pytest

from strongroom.protection.accounts import mfa
from strongroom.protection.accounts.models import ApiToken, WebAuthnCredential
from strongroom.protection.audit.events import AuditEvent
from strongroom.protection.audit.models import AuditEntry
from strongroom.testing.accounts import totp_code, totp_enrol

from .conftest import PASSWORD, assert_error

pytestmark = pytest.mark.django_db
TOKEN = "/api/auth/token"


def _events(user) -> list[AuditEvent]:
    rows = AuditEntry.objects.filter(subject_id=str(user.subject_id)).order_by("at_us", "id")
    return [AuditEvent(e) for e in rows.values_list("event", flat=True)]


def _ask(api, user, **extra):
    return api.post(TOKEN, {"email": user.email, "password": PASSWORD, **extra})


def test_password_alone_gets_no_token_for_a_totp_account(api, user):
    totp_enrol(user)
    error = assert_error(_ask(api, user), 401, "mfa_required", field="code")
    assert "code" in error["message"]
    assert not ApiToken.objects.exists()
    assert AuditEvent.LOGIN_SUCCEEDED not in _events(user)


def test_totp_code_gets_a_token_audited_and_announced(api, user, mailoutbox,
                                                      django_capture_on_commit_callbacks):
    secret = totp_enrol(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = _ask(api, user, code=totp_code(secret), name="phone")
    assert response.status_code == 201, response.content
    assert api.get("/api/orders", token=response.json()["token"]).status_code == 200
    assert _events(user)[-2:] == [AuditEvent.LOGIN_SUCCEEDED, AuditEvent.API_TOKEN_CREATED]
    assert len(mailoutbox) == 1 and "new sign-in" in mailoutbox[0].subject
    assert "using the API" in mailoutbox[0].body and "phone" in mailoutbox[0].body


def test_wrong_and_replayed_codes_are_refused_audited_and_throttled(api, user):
    secret = totp_enrol(user)
    code = totp_code(secret)
    assert _ask(api, user, code=code).status_code == 201
    assert_error(_ask(api, user, code=code), 401, "mfa_invalid")  # a replay
    assert _events(user).count(AuditEvent.MFA_CHALLENGE_FAILED) == 1
    statuses = [_ask(api, user, code=f"{n:06d}").status_code for n in range(12)]
    # Growing delays after 5 free failures (the browser's counter): guessing stops.
    assert statuses[0] == 401 and 429 in statuses
    assert ApiToken.objects.filter(user=user).count() == 1


def test_recovery_code_works_once(api, user):
    totp_enrol(user)
    codes = mfa.recovery_codes_generate(user=user)
    assert _ask(api, user, code=codes[0]).status_code == 201
    assert_error(_ask(api, user, code=codes[0]), 401, "mfa_invalid")


def test_passkey_only_account_is_sent_to_the_browser(api, user):
    WebAuthnCredential.objects.create(user=user, credential_id="cred", public_key=b"key",
                                      sign_count=0, name="Laptop")
    error = assert_error(_ask(api, user), 403, "passkey_only")
    assert "browser" in error["message"]
    assert_error(_ask(api, user, code="123456"), 401, "mfa_invalid")
    assert not ApiToken.objects.exists()


def test_a_token_without_second_factor_is_still_audited_and_announced(
        api, user, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert _ask(api, user).status_code == 201
    assert _events(user) == [AuditEvent.LOGIN_SUCCEEDED, AuditEvent.API_TOKEN_CREATED]
    assert len(mailoutbox) == 1


def test_unconfirmed_email_gets_no_token(api, user):
    user.email_verified_at = None
    user.save(update_fields=["email_verified_at"])
    assert_error(_ask(api, user), 403, "email_unverified")
    assert not ApiToken.objects.exists()


def test_revoking_a_token_is_audited(api, user, token):
    assert api.delete(TOKEN, token=token).status_code == 204
    assert _events(user)[-1] == AuditEvent.API_TOKEN_REVOKED

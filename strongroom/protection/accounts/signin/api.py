"""Signing in through the API: email and password, then the second factor, for a bearer
token.

Threat: a token is a sign-in that lasts 30 days and reads the customer's orders (name,
email, phone, address). If the API asked only for the password, a stolen or guessed
password would step around the TOTP or passkey the customer enrolled to protect exactly
that. So the exchange asks for the same second factor as the browser (a TOTP or recovery
code, throttled and audited like the verify page), refuses an account whose only factor
is a passkey (the API cannot run a WebAuthn ceremony: the customer uses the browser), is
audited like a sign-in and sends the same new-device notice.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest

from strongroom.protection.accounts import emails, mfa, services
from strongroom.protection.accounts.errors import AccountError
from strongroom.protection.accounts.models import ApiToken
from strongroom.protection.accounts.tokens import api_token_create
from strongroom.protection.audit.events import Actor, AuditEvent
from strongroom.protection.audit.services import audit_record


class SecondFactorRequired(AccountError):
    code = "mfa_required"
    status = 401


class SecondFactorInvalid(AccountError):
    code = "mfa_invalid"
    status = 401


class PasskeyOnly(AccountError):
    code = "passkey_only"
    status = 403


class EmailUnverified(AccountError):
    code = "email_unverified"
    status = 403


class SecondFactorThrottled(AccountError):
    code = "throttled"
    status = 429

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def _second_factor(*, request: HttpRequest, user: Any, code: str) -> None:
    """Raise unless ``code`` is a valid TOTP or unused recovery code of ``user``."""
    code = (code or "").strip()
    has_code_factor = (mfa.totp_confirmed(user=user) is not None
                       or mfa.recovery_codes_left(user=user) > 0)
    if not code:
        if not has_code_factor:
            raise PasskeyOnly("This account's second factor is a passkey, which the API "
                              "cannot check: sign in to the store in a browser, and add an "
                              "authenticator app there to use the API.", field="code")
        raise SecondFactorRequired("This account has a second factor: send the 6-digit code "
                                   "from the authenticator app (or a recovery code) as "
                                   "`code`.", field="code")
    blocked = services.mfa_throttled(request=request, user=user)
    if blocked is not None:
        raise SecondFactorThrottled("Too many wrong codes: wait and try again.",
                                    retry_after=blocked.retry_after)
    digits = code.replace(" ", "")
    ok = (digits.isdigit() and len(digits) == 6 and mfa.totp_verify(user=user, code=digits)
          ) or mfa.recovery_code_use(user=user, code=code)
    if not ok:
        services.mfa_failed(request=request, user=user)  # audited and counted
        raise SecondFactorInvalid("That code did not work. Codes are good once: wait for "
                                  "the next one.", field="code")
    services.mfa_succeeded(request=request, user=user)


def api_token_sign_in(*, request: HttpRequest, user: Any, code: str = "",
                      name: str = "") -> tuple[ApiToken, str]:
    """Issue a bearer token to ``user``, whose password the caller has just checked (and
    who is not staff: staff never get API tokens). Asks for the second factor where one
    is enrolled; records LOGIN_SUCCEEDED then API_TOKEN_CREATED; tells the owner."""
    if user.email_verified_at is None:
        raise EmailUnverified("Confirm your email address first: use the link we emailed "
                              "you (signing in in a browser sends a new one).")
    if mfa.mfa_enrolled(user=user):
        _second_factor(request=request, user=user, code=code)
    with transaction.atomic():
        token, raw = api_token_create(user=user, name=name)
        actor = Actor.of_user(user)
        audit_record(event=AuditEvent.LOGIN_SUCCEEDED, actor=actor, subject_id=user.subject_id,
                     object=user, request=request, reason="API token")
        audit_record(event=AuditEvent.API_TOKEN_CREATED, actor=actor,
                     subject_id=user.subject_id, object=token, request=request)
        # No device cookie travels with an API client: every token is a new device.
        label = f"an app using the API (token \u201c{token.name}\u201d)" if token.name else (
            "an app using the API")
        emails.notice_new_device(user=user, browser=label)
    return token, raw


def api_token_sign_out(*, request: HttpRequest, token: ApiToken) -> None:
    """Revoke the token the request came with (the caller authenticated it)."""
    with transaction.atomic():
        ApiToken.objects.filter(pk=token.pk).delete()
        user = token.user
        audit_record(event=AuditEvent.API_TOKEN_REVOKED, actor=user, subject_id=user.subject_id,
                     object=("accounts.apitoken", token.pk), request=request)

"""Passkeys and security keys (WebAuthn): registration, sign-in assertions, removal.

The ceremonies are ``internal/passkeys.py``; the challenge lives in the server-side
session and is popped (used once) before a response is verified. An assertion is
checked only against the signing-in account's own credentials, never another's.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from strongroom.protection.accounts import emails
from strongroom.protection.accounts.errors import CeremonyFailed
from strongroom.protection.accounts.internal import passkeys
from strongroom.protection.accounts.internal.passkeys import MAX_BODY, Party
from strongroom.protection.accounts.mfa.base import factor_audit
from strongroom.protection.accounts.models import WebAuthnCredential
from strongroom.protection.audit.events import AuditEvent

MAX_PASSKEYS = 10
CHALLENGE_KEY = "sr_webauthn_challenge"
__all__ = ["MAX_BODY"]  # the largest WebAuthn response a view should read


def party_of(request: HttpRequest) -> Party:
    host = request.get_host()  # validated against ALLOWED_HOSTS
    return Party(rp_id=host.rsplit(":", 1)[0] if not host.endswith("]") else host,
                 origin=f"https://{host}", name=settings.STRONGROOM_STORE_NAME)


def passkey_list(*, user: Any) -> list[WebAuthnCredential]:
    return list(WebAuthnCredential.objects.filter(user=user))


def passkey_register_begin(*, request: HttpRequest, user: Any) -> str:
    existing = list(WebAuthnCredential.objects.filter(user=user)
                    .values_list("credential_id", flat=True))
    options, challenge = passkeys.registration_options(
        party_of(request), user_id=user.pk.bytes, user_name=str(user.email),
        display_name=str(user.full_name or user.email), existing=existing)
    request.session[CHALLENGE_KEY] = challenge
    return options


def passkey_register_finish(*, request: HttpRequest, user: Any, response: Any,
                            name: str) -> WebAuthnCredential:
    challenge = request.session.pop(CHALLENGE_KEY, None)
    if not challenge or WebAuthnCredential.objects.filter(user=user).count() >= MAX_PASSKEYS:
        raise CeremonyFailed()
    new = passkeys.registration_verify(party_of(request), response=response,
                                       challenge=challenge)
    with transaction.atomic():
        if WebAuthnCredential.objects.filter(credential_id=new.credential_id).exists():
            raise CeremonyFailed()
        credential = WebAuthnCredential.objects.create(
            user=user, credential_id=new.credential_id, public_key=new.public_key,
            sign_count=new.sign_count, name=(name or "Passkey").strip()[:60] or "Passkey")
        factor_audit(AuditEvent.MFA_ENROLLED, user, credential, ("passkey",), request)
        emails.notice_mfa_changed(user=user, what="A passkey or security key was added")
    return credential


def passkey_auth_begin(*, request: HttpRequest, user: Any) -> str:
    allowed = list(WebAuthnCredential.objects.filter(user=user)
                   .values_list("credential_id", flat=True))
    options, challenge = passkeys.authentication_options(party_of(request), allowed=allowed)
    request.session[CHALLENGE_KEY] = challenge
    return options


def passkey_auth_finish(*, request: HttpRequest, user: Any, response: Any) -> bool:
    """Verify an assertion by one of ``user``'s own credentials (never another's)."""
    challenge = request.session.pop(CHALLENGE_KEY, None)
    if not challenge:
        return False
    try:
        credential_id = passkeys.response_credential_id(response)
        credential = WebAuthnCredential.objects.filter(
            user=user, credential_id=credential_id).first()
        if credential is None:
            return False
        count = passkeys.authentication_verify(
            party_of(request), response=response, challenge=challenge,
            public_key=bytes(credential.public_key), sign_count=credential.sign_count)
    except CeremonyFailed:
        return False
    WebAuthnCredential.objects.filter(pk=credential.pk).update(
        sign_count=count, last_used_at=timezone.now())
    return True


def passkey_remove(*, user: Any, credential_id: str,
                   request: HttpRequest | None = None) -> bool:
    with transaction.atomic():
        credential = WebAuthnCredential.objects.filter(user=user, pk=credential_id).first()
        if credential is None:
            return False
        credential.delete()
        factor_audit(AuditEvent.MFA_REMOVED, user,
                     ("accounts.webauthncredential", credential_id), ("passkey",), request)
        emails.notice_mfa_changed(user=user, what="A passkey or security key was removed")
    return True

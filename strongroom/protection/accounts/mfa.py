"""Second factors: TOTP, passkeys / security keys (WebAuthn) and recovery codes.

Writes are services (``<factor>_<action>``) recording their audit event in the same
transaction; notices go out on commit. Callers have authenticated ``user`` and, to
change factors someone already has, checked a fresh MFA (``selectors.mfa_fresh``).
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from strongroom.protection.audit.events import AuditEvent
from strongroom.protection.audit.services import audit_record

from . import emails, sessions
from .internal import passkeys, recovery, totp
from .internal.passkeys import CeremonyFailed, Party
from .models import RecoveryCode, TotpDevice, WebAuthnCredential
from .selectors import MFA_VERIFIED_AT

MAX_PASSKEYS = 10
CHALLENGE_KEY = "sr_webauthn_challenge"


def mfa_enrolled(*, user: Any) -> bool:
    return (TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()
            or WebAuthnCredential.objects.filter(user=user).exists())


def mfa_stamp(*, request: HttpRequest) -> None:
    """A second factor was just verified: the step-up contract's stamp, and a new
    session id (a privilege change)."""
    old = request.session.session_key
    request.session.cycle_key()
    request.session[MFA_VERIFIED_AT] = time.time()
    sessions.session_rekeyed(request=request, old_key=old)


def _audit(event: AuditEvent, user: Any, obj: Any, fields: tuple[str, ...], request) -> None:
    audit_record(event=event, actor=user, subject_id=user.subject_id, object=obj,
                 fields=fields, request=request)


# --- TOTP ---------------------------------------------------------------------------------

def totp_pending(*, user: Any) -> TotpDevice:
    """The unconfirmed device being set up (made once, so reloading keeps the QR code)."""
    device = TotpDevice.objects.filter(user=user, confirmed_at__isnull=True).first()
    if device is None:
        device = TotpDevice.objects.create(user=user, subject_id=user.subject_id,
                                           secret=totp.secret_new())
    return device


def totp_confirmed(*, user: Any) -> TotpDevice | None:
    return TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).first()


def totp_provisioning(*, device: TotpDevice, user: Any) -> dict[str, Any]:
    uri = totp.provisioning_uri(str(device.secret), account=str(user.email),
                                issuer=settings.STRONGROOM_STORE_NAME)
    return {"qr": totp.qr_svg(uri), "secret": totp.grouped(str(device.secret)), "uri": uri}


def totp_confirm(*, user: Any, code: str, request: HttpRequest | None = None) -> bool:
    """Finish enrolment: the first code proves the app holds the secret."""
    device = TotpDevice.objects.filter(user=user, confirmed_at__isnull=True).first()
    if device is None or not _claim(device, code):
        return False
    with transaction.atomic():
        TotpDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        TotpDevice.objects.filter(pk=device.pk).update(confirmed_at=timezone.now())
        _audit(AuditEvent.MFA_ENROLLED, user, device, ("totp",), request)
        emails.notice_mfa_changed(user=user, what="An authenticator app was added")
    return True


def totp_verify(*, user: Any, code: str) -> bool:
    device = totp_confirmed(user=user)
    return device is not None and _claim(device, code)


def _claim(device: TotpDevice, code: str) -> bool:
    step = totp.matching_step(str(device.secret), code, after=device.last_counter)
    if step is None:
        return False
    # Conditional update: of two requests replaying one code, only one moves the counter.
    return bool(TotpDevice.objects.filter(pk=device.pk, last_counter__lt=step)
                .update(last_counter=step))


def totp_remove(*, user: Any, request: HttpRequest | None = None) -> None:
    with transaction.atomic():
        device = totp_confirmed(user=user)
        TotpDevice.objects.filter(user=user).delete()
        if device is not None:
            _audit(AuditEvent.MFA_REMOVED, user, device, ("totp",), request)
            emails.notice_mfa_changed(user=user, what="An authenticator app was removed")


# --- recovery codes ---------------------------------------------------------------------------

def recovery_codes_generate(*, user: Any, request: HttpRequest | None = None) -> list[str]:
    """New codes replace all old ones; the caller shows them once."""
    codes = [recovery.code_new() for _ in range(recovery.COUNT)]
    with transaction.atomic():
        RecoveryCode.objects.filter(user=user).delete()
        RecoveryCode.objects.bulk_create(
            [RecoveryCode(user=user, code_hash=recovery.code_hash(c)) for c in codes])
        _audit(AuditEvent.RECOVERY_CODES_REGENERATED, user, user, ("recovery_codes",), request)
    return codes


def recovery_codes_left(*, user: Any) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


def recovery_code_use(*, user: Any, code: str) -> bool:
    """Spend one code (single use: a conditional update claims it)."""
    if not recovery.normalize(code):
        return False
    return bool(RecoveryCode.objects.filter(
        user=user, code_hash=recovery.code_hash(code), used_at__isnull=True,
    ).update(used_at=timezone.now()))


# --- passkeys and security keys -----------------------------------------------------------------

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
        _audit(AuditEvent.MFA_ENROLLED, user, credential, ("passkey",), request)
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
        _audit(AuditEvent.MFA_REMOVED, user, ("accounts.webauthncredential", credential_id),
               ("passkey",), request)
        emails.notice_mfa_changed(user=user, what="A passkey or security key was removed")
    return True

"""TOTP (an authenticator app): enrolment, verification with replay protection, removal.

The code check itself is ``internal/totp.py``; here a code is claimed by a conditional
update of the device's last counter, so one code is accepted once, even when two
requests replay it at the same moment.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from strongroom.protection.accounts import emails
from strongroom.protection.accounts.internal import totp
from strongroom.protection.accounts.mfa.base import factor_audit
from strongroom.protection.accounts.models import TotpDevice
from strongroom.protection.audit.events import AuditEvent


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
        factor_audit(AuditEvent.MFA_ENROLLED, user, device, ("totp",), request)
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
            factor_audit(AuditEvent.MFA_REMOVED, user, device, ("totp",), request)
            emails.notice_mfa_changed(user=user, what="An authenticator app was removed")

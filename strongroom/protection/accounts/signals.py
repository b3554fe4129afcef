"""Every sign-in path (storefront, console, tests' force_login) passes Django's
``login()``: track the new session and notice new devices there."""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db import IntegrityError, transaction
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils.crypto import salted_hmac

from strongroom.protection.audit.events import Actor
from strongroom.protection.vault import signals as vault_signals

from . import emails, sessions, tokens
from .models import KnownDevice, User

DEVICE_COOKIE = "__Host-device"
DEVICE_COOKIE_AGE = 400 * 86400


def device_hash(device_id: str, secret: str | None = None) -> str:
    return salted_hmac("strongroom.accounts.device", device_id, secret=secret,
                       algorithm="sha256").hexdigest()


def _device_hashes_before_rotation(device_id: str) -> list[str]:
    """The same browser's hash under each earlier secret key (SECRET_KEY_FALLBACKS): a
    key rotation must not make every known browser look new (a notice to everyone)."""
    return [device_hash(device_id, key) for key in settings.SECRET_KEY_FALLBACKS]


@receiver(user_logged_in, dispatch_uid="accounts.session_started")
def _logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is None or not hasattr(request, "session"):
        return
    tracked = sessions.session_started(request=request, user=user)
    device = request.COOKIES.get(DEVICE_COOKIE, "")
    if not (16 <= len(device) <= 64 and device.replace("-", "").replace("_", "").isalnum()):
        device = secrets.token_urlsafe(24)
        request._sr_device_cookie = device  # type: ignore[attr-defined]  # set by middleware
    first_device = not KnownDevice.objects.filter(user=user).exists()
    seen_before_rotation = KnownDevice.objects.filter(
        user=user, device_hash__in=_device_hashes_before_rotation(device)).exists()
    try:
        with transaction.atomic():
            KnownDevice.objects.create(user=user, device_hash=device_hash(device))
    except IntegrityError:
        return  # a browser seen before
    if not first_device and not seen_before_rotation:
        emails.notice_new_device(user=user, browser=tracked.browser)


@receiver(user_logged_out, dispatch_uid="accounts.session_ended")
def _logged_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        sessions.session_ended(request=request)


@receiver(vault_signals.key_operation, dispatch_uid="accounts.subject_shredded")
def _subject_shredded(sender: Any, event: str, subject_id: Any = None, **kwargs: Any) -> None:
    """A crypto-shredded person's account stops working at once, in the shredding's own
    transaction: deactivated, every browser signed out, every API token revoked.

    Threat: shredding makes the data unreadable, but a live session cookie or API token
    would still act as the erased account (place orders, read what is left), and the
    account could not even be found again by email to be locked (its index is gone).
    """
    if event != "subject_shredded" or subject_id is None:
        return
    for user in User.objects.filter(subject_id=subject_id):
        User.objects.filter(pk=user.pk).update(is_active=False)  # no save(): erased fields
        sessions.sessions_revoke_all(user=user, actor=Actor.system("vault"))
        tokens.api_token_revoke_all(user=user)

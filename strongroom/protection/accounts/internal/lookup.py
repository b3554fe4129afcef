"""Small lookups the sign-in, sign-up and password flows share."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from strongroom.publicurl import public_url


def client_ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "")


def user_by_email(email: str) -> Any:
    """The account with this email (blind index), or None."""
    try:
        return get_user_model()._default_manager.get_by_natural_key(email)
    except (get_user_model().DoesNotExist, ValueError):
        return None


def emailed_link(name: str, user: Any, token: str) -> str:
    """An emailed link: from the configured public origin, never the request's Host."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return public_url(reverse(name, kwargs={"uidb64": uid, "token": token}))


def user_from_uid(uidb64: str) -> Any:
    """The active account a link's uid names, or None (a bad uid is no error)."""
    try:
        pk = urlsafe_base64_decode(str(uidb64)[:64]).decode()
        return get_user_model().objects.filter(pk=pk, is_active=True).first()
    except (ValueError, TypeError, ValidationError, UnicodeDecodeError, OverflowError):
        return None

"""Per-request account policy.

``SessionPolicyMiddleware``: idle and absolute timeouts, sessions revoked elsewhere,
and a password change that is due (forced by an administrator, or expired for staff).
``StaffMfaMiddleware``: the console is unreachable for a staff account until a second
factor is enrolled, and in each session until it has been verified.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from . import mfa, services, sessions
from .selectors import MFA_VERIFIED_AT
from .signals import DEVICE_COOKIE, DEVICE_COOKIE_AGE

_ENDED = {
    "idle": "You were signed out after a while without activity. Please sign in again.",
    "absolute": "Your session reached its time limit. Please sign in again.",
    "revoked": "You were signed out. Please sign in again.",
}


def _open_paths() -> tuple[str, ...]:
    """Pages a signed-in person may reach while something is still required of them."""
    return (reverse("storefront:password_change"), reverse("storefront:logout"),
            reverse("storefront:mfa_step_up"), reverse("storefront:security"),
            reverse("console:login"), reverse("console:logout"), "/static/")


def _to(name: str, next_path: str) -> HttpResponse:
    return redirect(f"{reverse(name)}?{urlencode({'next': next_path})}")


class SessionPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        before = session.session_key if session is not None else None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if before and request.session.session_key != before:
                # Django verified this session with an earlier secret key
                # (SECRET_KEY_FALLBACKS) and gave it a new id: the tracked row follows.
                sessions.session_rekeyed(request=request, old_key=before)
            reason = sessions.session_expired(request=request)
            if reason:
                logout(request)
                messages.info(request, _ENDED[reason])
            elif services.password_change_due(user=user) and not request.path.startswith(
                    _open_paths()):
                messages.info(request, "Please choose a new password to continue.")
                return _to("storefront:password_change", request.get_full_path())
        response = self.get_response(request)
        device = getattr(request, "_sr_device_cookie", None)
        if device:
            response.set_cookie(DEVICE_COOKIE, device, max_age=DEVICE_COOKIE_AGE, secure=True,
                                httponly=True, samesite="Lax", path="/")
        return response


class StaffMfaMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated and user.is_staff
                and request.path.startswith("/console/")
                and not request.path.startswith(_open_paths())
                and MFA_VERIFIED_AT not in request.session):
            if mfa.mfa_enrolled(user=user):
                return _to("storefront:mfa_step_up", request.get_full_path())
            messages.info(request, "Staff accounts need a second factor: set one up to "
                                   "open the console.")
            return _to("storefront:security", request.get_full_path())
        return self.get_response(request)

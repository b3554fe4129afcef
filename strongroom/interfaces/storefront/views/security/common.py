"""What the security pages share: who is being verified, finishing a verification,
the step-up rule for changing factors, and the size-limited JSON body of a WebAuthn call.

Step-up: changing a factor someone already has needs a second factor verified in the
last few minutes (``mfa_fresh``); adding the first factor needs the password instead
(``password_fresh``: the sign-in, or the confirm page).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest
from django.urls import reverse

from strongroom.interfaces.storefront.views.nexturl import safe_next
from strongroom.protection.accounts import mfa, services
from strongroom.protection.accounts.mfa import MAX_BODY, CeremonyFailed
from strongroom.protection.accounts.selectors import mfa_fresh, password_fresh


def verifying_user(request: HttpRequest) -> tuple[Any, bool]:
    """(user, signing_in): the signed-in user (step-up), or the one mid-sign-in."""
    if request.user.is_authenticated:
        return request.user, False
    return services.login_pending_user(request=request), True


def verified(request: HttpRequest, user: Any, signing_in: bool) -> str:
    services.mfa_succeeded(request=request, user=user)
    if signing_in:
        services.login_pending_complete(request=request, user=user)
    else:
        mfa.mfa_stamp(request=request)
    return safe_next(request, reverse("console:dashboard") if user.is_staff
                     else reverse("storefront:account"))


def json_body(request: HttpRequest) -> Any:
    if len(request.body) > MAX_BODY:
        raise CeremonyFailed()
    try:
        return json.loads(request.body or b"{}")
    except ValueError as exc:
        raise CeremonyFailed() from exc


def needs_step_up(request: HttpRequest) -> bool:
    """Changing factors someone already has needs a fresh second factor; adding the first
    one needs the password, typed at sign-in or on the confirm page a few minutes ago (a
    stolen or unattended session must not enrol a factor that locks the owner out)."""
    if mfa.mfa_enrolled(user=request.user):
        return not mfa_fresh(request=request)
    return not password_fresh(request=request)


def step_up_url(request: HttpRequest, next_path: str) -> str:
    page = "storefront:mfa_step_up" if mfa.mfa_enrolled(user=request.user) else (
        "storefront:password_confirm")
    return f"{reverse(page)}?{urlencode({'next': next_path})}"

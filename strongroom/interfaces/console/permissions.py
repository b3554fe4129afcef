"""Who may do what in the staff console: the one place every console view's access is
decided. Each view carries exactly one of ``staff_required`` / ``perm_required(...)``;
object-level checks (which customers and orders) go through ``access.selectors`` in
the view's lookup, so an object outside the viewer's scope is a 404 like an unknown one.

The decisions themselves live in one table: ``strongroom.protection.access.roles``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, reverse

from strongroom.protection.access.roles import Perm
from strongroom.protection.access.selectors import has_perm
from strongroom.protection.accounts.selectors import mfa_fresh

STEP_UP_URL_NAME = "storefront:mfa_step_up"


def is_console_user(user: Any) -> bool:
    """May ``user`` sign in to the console at all? (The login form asks the same question.)"""
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.is_active
        and user.is_staff
    )


def staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Anonymous visitors go to the console login; signed-in customers get a 403 (a
    redirect to a login they cannot pass would only invite guessing staff passwords)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("console:login"))
        if not is_console_user(user):
            raise PermissionDenied("Staff only.")
        return view(request, *args, **kwargs)

    wrapped.staff_required = True  # type: ignore[attr-defined]  # checked by a test
    return wrapped


def perm_required(perm: Perm) -> Callable[[Callable[..., HttpResponse]],
                                          Callable[..., HttpResponse]]:
    """``staff_required``, then the role table must grant ``perm`` (else 403)."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not has_perm(request.user, perm):
                raise PermissionDenied("Your role does not include this.")
            return view(request, *args, **kwargs)

        wrapped = staff_required(checked)
        wrapped.perm = perm  # type: ignore[attr-defined]  # checked by a test
        return wrapped

    return decorate


def can(user: Any, perm: Perm | str) -> bool:
    return is_console_user(user) and has_perm(user, Perm(perm))


def can_refund(user: Any) -> bool:
    """Refunds move money out: owner and admin (ROLE_TABLE), and the refund view also
    requires a recent MFA check (``step_up_needed``)."""
    return can(user, Perm.ORDERS_REFUND)


def can_manage_payment_security(user: Any) -> bool:
    """Accepting a changed payment page as the new baseline: owner, security officer."""
    return can(user, Perm.PAYMENT_SECURITY_MANAGE)


def step_up_needed(request: HttpRequest) -> bool:
    """Reveals and refunds need a second factor verified in the last few minutes."""
    return not mfa_fresh(request=request)


def step_up_url(request: HttpRequest, *, next_url: str) -> str | None:
    """Where to verify a second factor and come back to ``next_url``; None while the
    store has no step-up page (the caller then says so instead of failing)."""
    try:
        base = reverse(STEP_UP_URL_NAME)
    except NoReverseMatch:
        return None
    return f"{base}?{urlencode({'next': next_url})}"


STEP_UP_MISSING = ("This needs a second-factor check from the last few minutes, and this "
                   "store has no step-up page yet: ask the owner to finish setting up MFA.")
STEP_UP_ASK = "Confirm it is you with your second factor, then try again."

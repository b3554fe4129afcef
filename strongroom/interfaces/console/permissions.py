"""Who may use the staff console: the one place every console view's access is decided.

Today the rule is "an active staff account". This module is the seam for what comes next:
roles and need-to-know field policies (masking), recent-MFA requirements for reveals, and
current-training checks all plug in here, so no view grows its own access logic.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import reverse


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


def can_refund(user: Any) -> bool:
    """Refunds move money out: the store owner only, for now (superusers). Roles arrive
    later (owner and admin); this is the one place that decision will change."""
    return is_console_user(user) and bool(getattr(user, "is_superuser", False))


def can_manage_payment_security(user: Any) -> bool:
    """Accepting a changed payment page as the new baseline: the owner only."""
    return is_console_user(user) and bool(getattr(user, "is_superuser", False))

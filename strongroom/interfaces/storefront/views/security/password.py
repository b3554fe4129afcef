"""The security overview and the password confirm page (the step-up before a first factor)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from strongroom.interfaces.storefront.forms.security import PasswordConfirmForm
from strongroom.interfaces.storefront.views.auth import password_rechecked
from strongroom.interfaces.storefront.views.nexturl import safe_next
from strongroom.protection.accounts import mfa, sessions


@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def password_confirm(request: HttpRequest) -> HttpResponse:
    form = PasswordConfirmForm(request.POST if request.method == "POST" else None)
    status = 200
    if form.is_bound and form.is_valid():
        status = password_rechecked(request, form)
        if status is None:
            return redirect(safe_next(request, reverse("storefront:security")))
    elif form.is_bound:
        status = 400
    return render(request, "storefront/account/password_confirm.html",
                  {"form": form, "next": safe_next(request, "")}, status=status)


@never_cache
@require_http_methods(["GET", "HEAD"])
@login_required
def security(request: HttpRequest) -> HttpResponse:
    user = request.user
    current = sessions.session_current(request=request)
    return render(request, "storefront/account/security.html", {
        "totp": mfa.totp_confirmed(user=user), "passkeys": mfa.passkey_list(user=user),
        "recovery_left": mfa.recovery_codes_left(user=user),
        "enrolled": mfa.mfa_enrolled(user=user),
        "sessions": sessions.session_list(user=user),
        "current_session_id": current.pk if current else None,
        "next": safe_next(request, ""),
    })

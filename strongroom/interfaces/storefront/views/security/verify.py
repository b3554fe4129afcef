"""The verify page: a second factor for a sign-in whose password was right, or for a
step-up (a TOTP code, a recovery code or a passkey), throttled like a sign-in."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from strongroom.interfaces.storefront.forms.security import CodeForm, RecoveryForm
from strongroom.interfaces.storefront.views.auth import throttled_message
from strongroom.interfaces.storefront.views.nexturl import safe_next
from strongroom.interfaces.storefront.views.security.common import (
    json_body,
    verified,
    verifying_user,
)
from strongroom.protection.accounts import mfa, services
from strongroom.protection.accounts.mfa import CeremonyFailed


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def mfa_step_up(request: HttpRequest) -> HttpResponse:
    user, signing_in = verifying_user(request)
    if user is None:
        messages.info(request, "Please log in again.")
        return redirect("storefront:login")
    if not mfa.mfa_enrolled(user=user):
        return redirect(f"{reverse('storefront:security')}")
    code_form = CodeForm(request.POST if "code" in request.POST else None)
    recovery_form = RecoveryForm(request.POST if "recovery_code" in request.POST else None)
    status = 200
    if request.method == "POST":
        blocked = services.mfa_throttled(request=request, user=user)
        ok = False
        if blocked is None and code_form.is_bound and code_form.is_valid():
            ok = mfa.totp_verify(user=user, code=code_form.cleaned_data["code"])
        elif blocked is None and recovery_form.is_bound and recovery_form.is_valid():
            ok = mfa.recovery_code_use(user=user, code=recovery_form.cleaned_data["recovery_code"])
            if ok:
                left = mfa.recovery_codes_left(user=user)
                messages.warning(request, f"You used a recovery code: {left} left. "
                                          "Make new ones under Security if you are running low.")
        if ok:
            return redirect(verified(request, user, signing_in))
        if blocked is None:
            blocked = services.mfa_failed(request=request, user=user)
            form = code_form if code_form.is_bound else recovery_form
            form.add_error(None, "That code did not work. Codes are good once: wait for "
                                 "the next one.")
            status = 400
        if blocked is not None:
            messages.error(request, throttled_message(blocked.retry_after))
            status = 429
    return render(request, "storefront/account/verify.html", {
        "code_form": code_form, "recovery_form": recovery_form, "signing_in": signing_in,
        "has_totp": mfa.totp_confirmed(user=user) is not None,
        "has_passkey": bool(mfa.passkey_list(user=user)),
        "next": safe_next(request, ""),
        # Staff between password and second factor are not signed in yet: the layout
        # follows the account being verified (the password was right already).
        "account_base": "console/base.html" if user.is_staff else "storefront/base.html",
    }, status=status)


@never_cache
@require_POST
def mfa_passkey_options(request: HttpRequest) -> HttpResponse:
    user, _ = verifying_user(request)
    if user is None:
        return JsonResponse({"error": "Please log in again."}, status=401)
    return HttpResponse(mfa.passkey_auth_begin(request=request, user=user),
                        content_type="application/json")


@never_cache
@require_POST
def mfa_passkey_verify(request: HttpRequest) -> HttpResponse:
    user, signing_in = verifying_user(request)
    if user is None:
        return JsonResponse({"error": "Please log in again."}, status=401)
    blocked = services.mfa_throttled(request=request, user=user)
    if blocked is not None:
        return JsonResponse({"error": throttled_message(blocked.retry_after)}, status=429)
    try:
        ok = mfa.passkey_auth_finish(request=request, user=user, response=json_body(request))
    except CeremonyFailed:
        ok = False
    if not ok:
        services.mfa_failed(request=request, user=user)
        return JsonResponse({"error": "That passkey did not work. Try again or use "
                                      "another way."}, status=400)
    return JsonResponse({"redirect": verified(request, user, signing_in)})

"""Second factors, the step-up check and signed-in browsers, for customers and staff.

Step-up: changing a factor someone already has needs a second factor verified in the
last few minutes (``mfa_fresh``); the verify page below is where it is given, and the
same page finishes a sign-in whose password was right. Adding the first factor needs the
password instead (``password_fresh``: the sign-in, or the confirm page below).
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from strongroom.protection.accounts import mfa, services, sessions
from strongroom.protection.accounts.mfa import MAX_BODY, CeremonyFailed
from strongroom.protection.accounts.selectors import mfa_fresh, password_fresh

from ..forms.security import CodeForm, PasswordConfirmForm, RecoveryForm
from .auth import password_rechecked, step_up, throttled_message
from .nexturl import safe_next


def _verifying_user(request: HttpRequest):
    """(user, signing_in): the signed-in user (step-up), or the one mid-sign-in."""
    if request.user.is_authenticated:
        return request.user, False
    return services.login_pending_user(request=request), True


def _verified(request: HttpRequest, user, signing_in: bool) -> str:
    services.mfa_succeeded(request=request, user=user)
    if signing_in:
        services.login_pending_complete(request=request, user=user)
    else:
        mfa.mfa_stamp(request=request)
    return safe_next(request, reverse("console:dashboard") if user.is_staff
                     else reverse("storefront:account"))


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def mfa_step_up(request: HttpRequest) -> HttpResponse:
    user, signing_in = _verifying_user(request)
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
            return redirect(_verified(request, user, signing_in))
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


def _json_body(request: HttpRequest):
    if len(request.body) > MAX_BODY:
        raise CeremonyFailed()
    try:
        return json.loads(request.body or b"{}")
    except ValueError as exc:
        raise CeremonyFailed() from exc


@never_cache
@require_POST
def mfa_passkey_options(request: HttpRequest) -> HttpResponse:
    user, _ = _verifying_user(request)
    if user is None:
        return JsonResponse({"error": "Please log in again."}, status=401)
    return HttpResponse(mfa.passkey_auth_begin(request=request, user=user),
                        content_type="application/json")


@never_cache
@require_POST
def mfa_passkey_verify(request: HttpRequest) -> HttpResponse:
    user, signing_in = _verifying_user(request)
    if user is None:
        return JsonResponse({"error": "Please log in again."}, status=401)
    blocked = services.mfa_throttled(request=request, user=user)
    if blocked is not None:
        return JsonResponse({"error": throttled_message(blocked.retry_after)}, status=429)
    try:
        ok = mfa.passkey_auth_finish(request=request, user=user, response=_json_body(request))
    except CeremonyFailed:
        ok = False
    if not ok:
        services.mfa_failed(request=request, user=user)
        return JsonResponse({"error": "That passkey did not work. Try again or use "
                                      "another way."}, status=400)
    return JsonResponse({"redirect": _verified(request, user, signing_in)})


# --- managing factors and sessions --------------------------------------------------------------

def _needs_step_up(request: HttpRequest) -> bool:
    """Changing factors someone already has needs a fresh second factor; adding the first
    one needs the password, typed at sign-in or on the confirm page a few minutes ago (a
    stolen or unattended session must not enrol a factor that locks the owner out)."""
    if mfa.mfa_enrolled(user=request.user):
        return not mfa_fresh(request=request)
    return not password_fresh(request=request)


def _step_up_url(request: HttpRequest, next_path: str) -> str:
    page = "storefront:mfa_step_up" if mfa.mfa_enrolled(user=request.user) else (
        "storefront:password_confirm")
    return f"{reverse(page)}?{urlencode({'next': next_path})}"


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


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def totp_setup(request: HttpRequest) -> HttpResponse:
    user = request.user
    if _needs_step_up(request):
        return redirect(_step_up_url(request, request.get_full_path()))
    form = CodeForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        if mfa.totp_confirm(user=user, code=form.cleaned_data["code"], request=request):
            mfa.mfa_stamp(request=request)
            codes = None
            if not mfa.recovery_codes_left(user=user):
                codes = mfa.recovery_codes_generate(user=user, request=request)
            messages.success(request, "Your authenticator app is set up.")
            if codes:
                return render(request, "storefront/account/recovery_codes.html",
                              {"codes": codes, "next": safe_next(request, "")})
            return redirect(safe_next(request, reverse("storefront:security")))
        form.add_error("code", "That code did not work: check the time on your phone and "
                               "try the next code.")
    device = mfa.totp_pending(user=user)
    return render(request, "storefront/account/totp_setup.html", {
        "form": form, "next": safe_next(request, ""),
        **mfa.totp_provisioning(device=device, user=user),
    }, status=400 if form.is_bound else 200)


@require_POST
@login_required
def totp_remove(request: HttpRequest) -> HttpResponse:
    if _needs_step_up(request):
        return step_up(request, reverse("storefront:security"))
    if request.user.is_staff and not mfa.passkey_list(user=request.user):
        messages.error(request, "Staff accounts must keep a second factor: add a passkey "
                                "before removing the authenticator app.")
        return redirect("storefront:security")
    mfa.totp_remove(user=request.user, request=request)
    messages.success(request, "The authenticator app was removed.")
    return redirect("storefront:security")


@never_cache
@require_POST
@login_required
def passkey_register_options(request: HttpRequest) -> HttpResponse:
    if _needs_step_up(request):
        return JsonResponse({"error": "Please verify it's you first.",
                             "redirect": _step_up_url(request, reverse("storefront:security"))},
                            status=403)
    return HttpResponse(mfa.passkey_register_begin(request=request, user=request.user),
                        content_type="application/json")


@never_cache
@require_POST
@login_required
def passkey_register(request: HttpRequest) -> HttpResponse:
    if _needs_step_up(request):
        return JsonResponse({"error": "Please verify it's you first."}, status=403)
    try:
        body = _json_body(request)
        if not isinstance(body, dict):
            raise CeremonyFailed()
        mfa.passkey_register_finish(request=request, user=request.user,
                                    response=body.get("credential"),
                                    name=str(body.get("name") or "")[:60])
    except CeremonyFailed:
        return JsonResponse({"error": "That passkey could not be added. Please try again."},
                            status=400)
    mfa.mfa_stamp(request=request)
    messages.success(request, "Your passkey is added.")
    return JsonResponse({"redirect": safe_next(request, reverse("storefront:security"))})


@require_POST
@login_required
def passkey_remove(request: HttpRequest, credential_id) -> HttpResponse:
    if _needs_step_up(request):
        return step_up(request, reverse("storefront:security"))
    user = request.user
    if user.is_staff and len(mfa.passkey_list(user=user)) <= 1 and not mfa.totp_confirmed(
            user=user):
        messages.error(request, "Staff accounts must keep a second factor.")
        return redirect("storefront:security")
    if not mfa.passkey_remove(user=user, credential_id=credential_id, request=request):
        raise Http404
    messages.success(request, "The passkey was removed.")
    return redirect("storefront:security")


@never_cache
@require_POST
@login_required
def recovery_codes(request: HttpRequest) -> HttpResponse:
    if _needs_step_up(request) or not mfa.mfa_enrolled(user=request.user):
        return step_up(request, reverse("storefront:security"))
    codes = mfa.recovery_codes_generate(user=request.user, request=request)
    return render(request, "storefront/account/recovery_codes.html", {"codes": codes})


@require_POST
@login_required
def session_revoke(request: HttpRequest, session_id) -> HttpResponse:
    if not sessions.session_revoke(user=request.user, session_id=session_id, request=request):
        raise Http404
    messages.success(request, "That browser is signed out.")
    return redirect("storefront:security")


@require_POST
@login_required
def sessions_revoke_others(request: HttpRequest) -> HttpResponse:
    count = sessions.sessions_revoke_all(user=request.user, keep=request)
    messages.success(request, f"Signed out {count} other browser(s).")
    return redirect("storefront:security")

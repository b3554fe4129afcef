"""An authenticator app (TOTP): set up after a step-up, removed (staff keep a factor)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from strongroom.interfaces.storefront.forms.security import CodeForm
from strongroom.interfaces.storefront.views.auth import step_up
from strongroom.interfaces.storefront.views.nexturl import safe_next
from strongroom.interfaces.storefront.views.security.common import needs_step_up, step_up_url
from strongroom.protection.accounts import mfa


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def totp_setup(request: HttpRequest) -> HttpResponse:
    user = request.user
    if needs_step_up(request):
        return redirect(step_up_url(request, request.get_full_path()))
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
    if needs_step_up(request):
        return step_up(request, reverse("storefront:security"))
    if request.user.is_staff and not mfa.passkey_list(user=request.user):
        messages.error(request, "Staff accounts must keep a second factor: add a passkey "
                                "before removing the authenticator app.")
        return redirect("storefront:security")
    mfa.totp_remove(user=request.user, request=request)
    messages.success(request, "The authenticator app was removed.")
    return redirect("storefront:security")

"""Passkeys and security keys: registered after a step-up, removed (staff keep a factor)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from strongroom.interfaces.storefront.views.auth import step_up
from strongroom.interfaces.storefront.views.nexturl import safe_next
from strongroom.interfaces.storefront.views.security.common import (
    json_body,
    needs_step_up,
    step_up_url,
)
from strongroom.protection.accounts import mfa
from strongroom.protection.accounts.mfa import CeremonyFailed


@never_cache
@require_POST
@login_required
def passkey_register_options(request: HttpRequest) -> HttpResponse:
    if needs_step_up(request):
        return JsonResponse({"error": "Please verify it's you first.",
                             "redirect": step_up_url(request, reverse("storefront:security"))},
                            status=403)
    return HttpResponse(mfa.passkey_register_begin(request=request, user=request.user),
                        content_type="application/json")


@never_cache
@require_POST
@login_required
def passkey_register(request: HttpRequest) -> HttpResponse:
    if needs_step_up(request):
        return JsonResponse({"error": "Please verify it's you first."}, status=403)
    try:
        body = json_body(request)
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
    if needs_step_up(request):
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

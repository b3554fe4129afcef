"""Recovery codes: new ones replace the old, shown once, after a step-up."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from strongroom.interfaces.storefront.views.auth import step_up
from strongroom.interfaces.storefront.views.security.common import needs_step_up
from strongroom.protection.accounts import mfa


@never_cache
@require_POST
@login_required
def recovery_codes(request: HttpRequest) -> HttpResponse:
    if needs_step_up(request) or not mfa.mfa_enrolled(user=request.user):
        return step_up(request, reverse("storefront:security"))
    codes = mfa.recovery_codes_generate(user=request.user, request=request)
    return render(request, "storefront/account/recovery_codes.html", {"codes": codes})

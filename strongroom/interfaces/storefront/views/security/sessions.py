"""Signed-in browsers: sign one out, or every other one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from strongroom.protection.accounts import sessions


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

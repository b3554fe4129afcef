"""Console sign-in and sign-out. Throttling and staff MFA arrive with the accounts work
and hook in here (the form) and in ``permissions`` (the per-request check)."""

from __future__ import annotations

from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from ..forms import LoginForm
from ..permissions import is_console_user


def _next_url(request: HttpRequest) -> str:
    """Only a console path on this host; anything else (open redirect bait) is dropped."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    home = reverse("console:dashboard")
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=True
    )
    if safe and target.startswith(home) and not target.startswith("//"):
        return target
    return home


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    if request.method == "GET" and is_console_user(request.user):
        return redirect(_next_url(request))
    form = LoginForm(request.POST if request.method == "POST" else None, request=request)
    if request.method == "POST" and form.is_valid():
        login(request, form.user)  # new session key: a planted session id is useless
        return redirect(_next_url(request))
    status = 400 if form.is_bound else 200
    return render(request, "console/login.html",
                  {"form": form, "next": _next_url(request)}, status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("console:login")

"""Console sign-in and sign-out: the password here, then the second factor on the shared
verify page (``storefront:mfa_step_up``). Staff without a factor yet are signed in and
sent to set one up by ``accounts.middleware.StaffMfaMiddleware``, which keeps every
other console page closed until then."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from strongroom.interfaces.storefront.views.auth import throttled_message
from strongroom.protection.accounts import services
from strongroom.protection.accounts.passwords import MAX_LENGTH

from ..permissions import is_console_user

FAILED = "That email and password do not open the staff console."


class ConsoleLoginForm(forms.Form):
    email = forms.EmailField(max_length=254, widget=forms.EmailInput(
        attrs={"autocomplete": "username", "autofocus": True}))
    password = forms.CharField(max_length=MAX_LENGTH, strip=False, widget=forms.PasswordInput(
        attrs={"autocomplete": "current-password"}))


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
    form = ConsoleLoginForm(request.POST if request.method == "POST" else None)
    status = 400 if form.is_bound else 200
    if form.is_bound and form.is_valid():
        result = services.login_attempt(request=request, email=form.cleaned_data["email"],
                                        password=form.cleaned_data["password"],
                                        staff_only=True)
        if result.outcome is services.LoginOutcome.DONE:
            return redirect(_next_url(request))  # the middleware asks for MFA enrolment
        if result.outcome is services.LoginOutcome.MFA:
            query = urlencode({"next": _next_url(request)})
            return redirect(f"{reverse('storefront:mfa_step_up')}?{query}")
        if result.outcome is services.LoginOutcome.THROTTLED:
            form.add_error(None, throttled_message(result.retry_after))
            status = 429
        else:
            form.add_error(None, FAILED)
    return render(request, "console/login.html",
                  {"form": form, "next": _next_url(request)}, status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("console:login")

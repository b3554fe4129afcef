"""Changing the sign-in email address (see accounts.emailchange). Thin: parse, check the
step-up, call the service, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from strongroom.protection.accounts import emailchange, mfa
from strongroom.protection.accounts.errors import AccountError
from strongroom.protection.accounts.selectors import mfa_fresh

from ..feedback import error_to_form
from ..forms.security import EmailChangeForm
from .auth import password_rechecked, step_up


@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def email_change(request: HttpRequest) -> HttpResponse:
    user = request.user
    if mfa.mfa_enrolled(user=user) and not mfa_fresh(request=request):
        return step_up(request, request.get_full_path())
    form = EmailChangeForm(request.POST if request.method == "POST" else None)
    status = 400 if form.is_bound else 200
    if form.is_bound and form.is_valid():
        rechecked = password_rechecked(request, form)
        if rechecked is not None:
            status = rechecked
        else:
            try:
                emailchange.email_change_request(request=request, user=user,
                                                 new_email=form.cleaned_data["new_email"])
            except AccountError as exc:
                error_to_form(form, exc)
                status = 429 if exc.code == "too_many_requests" else 400
            else:
                return render(request, "storefront/account/email_change_sent.html",
                              {"new_email": form.cleaned_data["new_email"]})
    return render(request, "storefront/account/email_change.html", {"form": form},
                  status=status)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def email_change_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button (mail scanners follow links); POST makes the change."""
    if request.method != "POST":
        if emailchange.email_change_pending(token=token) is None:
            return render(request, "storefront/account/link_invalid.html", status=400)
        return render(request, "storefront/account/email_change_confirm.html")
    user = emailchange.email_change_confirm(request=request, token=token)
    if user is None:
        return render(request, "storefront/account/link_invalid.html", status=400)
    messages.success(request, "Your email address is changed: sign in with it from now on.")
    return redirect("storefront:account" if request.user.is_authenticated
                    else "storefront:login")

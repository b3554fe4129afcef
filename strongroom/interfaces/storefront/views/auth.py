"""Sign-in, sign-up, email verification and passwords for customers (and staff: the
console's sign-in uses the same services). Thin: parse, call accounts services, render."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from strongroom.errors import ApplicationError
from strongroom.protection.accounts import mfa, services
from strongroom.protection.accounts.selectors import mfa_fresh
from strongroom.protection.audit.events import AuditEvent
from strongroom.protection.privacy.services import consent_set

from ..feedback import error_to_form
from ..forms.security import EmailForm, LoginForm, NewPasswordForm, SignupForm
from .nexturl import safe_next, safe_path

FAILED = "That email and password do not match an account."
SIGNUP_NEXT = "signup_next"  # session key: the page a sign-up started from (checkout)


def throttled_message(seconds: int) -> str:
    if seconds >= 90:
        wait = f"{max(1, round(seconds / 60))} minutes"
    else:
        seconds = max(1, seconds)
        wait = "1 second" if seconds == 1 else f"{seconds} seconds"
    return f"Too many attempts. For your account's safety, please wait {wait} and try again."


def password_rechecked(request: HttpRequest, form: Any) -> int | None:
    """The signed-in person typed their password again in ``form`` (field "password"):
    None if right, else the status to answer with, the error already on the form."""
    result = services.password_confirm(request=request, password=form.cleaned_data["password"])
    if result.outcome is services.LoginOutcome.DONE:
        return None
    if result.outcome is services.LoginOutcome.THROTTLED:
        form.add_error(None, throttled_message(result.retry_after))
        return 429
    form.add_error("password", "That is not your password.")
    return 400


def step_up(request: HttpRequest, next_path: str) -> HttpResponse:
    return redirect(f"{reverse('storefront:mfa_step_up')}?{urlencode({'next': next_path})}")


@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    next_path = safe_next(request, reverse("storefront:account"))
    if request.user.is_authenticated and request.method != "POST":
        return redirect(next_path)
    form = LoginForm(request.POST if request.method == "POST" else None)
    # A refused sign-in is a 400 with the form again, like the console's (and the same
    # status for an unknown email and a wrong password: no enumeration by status).
    status = 400 if form.is_bound else 200
    if form.is_bound and form.is_valid():
        result = services.login_attempt(request=request, email=form.cleaned_data["username"],
                                        password=form.cleaned_data["password"])
        outcome = result.outcome
        if outcome is services.LoginOutcome.DONE:
            return redirect(next_path)
        if outcome is services.LoginOutcome.MFA:
            return step_up(request, next_path)
        if outcome is services.LoginOutcome.THROTTLED:
            form.add_error(None, throttled_message(result.retry_after))
            status = 429
        elif outcome is services.LoginOutcome.UNVERIFIED:
            form.add_error(None, "Please confirm your email address first: we have sent "
                                 "you a new link.")
        else:
            form.add_error(None, FAILED)
    return render(request, "storefront/account/login.html",
                  {"form": form, "next": next_path}, status=status)


@sensitive_post_parameters("password", "password_confirm")
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("storefront:account")
    next_path = safe_next(request, "")
    form = SignupForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            new_user = services.signup_request(request=request, email=data["email"],
                                               full_name=data["full_name"],
                                               password=data["password"])
            if new_user is not None and data.get("marketing"):
                consent_set(user=new_user, purpose="marketing_email", agreed=True,
                            method="signup", request=request)
        except ApplicationError as exc:
            error_to_form(form, exc)
            return render(request, "storefront/account/signup.html", {"form": form},
                          status=exc.status if 400 <= exc.status < 500 else 400)
        else:
            if next_path:
                # Where the confirmation link leads back to, in this browser (where the
                # cart is): kept in the session, checked again when used.
                request.session[SIGNUP_NEXT] = next_path
            # The same page whether or not the address had an account (no oracle).
            return render(request, "storefront/account/check_inbox.html",
                          {"email": data["email"]})
    return render(request, "storefront/account/signup.html",
                  {"form": form, "next": next_path}, status=400 if form.is_bound else 200)


@never_cache
@require_http_methods(["GET", "HEAD"])
def email_verify(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    user = services.email_verify(request=request, uidb64=uidb64, token=token)
    if user is None:
        return render(request, "storefront/account/link_invalid.html", status=400)
    back_to = safe_path(request, request.session.get(SIGNUP_NEXT, ""),
                        reverse("storefront:account"))
    request.session.pop(SIGNUP_NEXT, None)
    signed_in = services.login_first_step_done(  # an emailed link, not the password
        request=request, user=user, password_verified=False)
    if signed_in.outcome is services.LoginOutcome.MFA:
        messages.success(request, "Thank you: your email address is confirmed.")
        return step_up(request, back_to)
    messages.success(request, "Thank you: your email address is confirmed and your "
                              "account is ready.")
    return redirect(back_to)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def password_reset(request: HttpRequest) -> HttpResponse:
    form = EmailForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            services.password_reset_request(request=request, email=form.cleaned_data["email"])
        except ApplicationError as exc:  # too many requests from this client
            error_to_form(form, exc)
            return render(request, "storefront/account/password_reset.html", {"form": form},
                          status=exc.status)
        return render(request, "storefront/account/check_inbox.html",
                      {"email": form.cleaned_data["email"], "reset": True})
    return render(request, "storefront/account/password_reset.html", {"form": form},
                  status=400 if form.is_bound else 200)


@sensitive_post_parameters("new_password", "new_password_confirm")
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def password_reset_confirm(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    user = services.password_reset_user(uidb64=uidb64, token=token)
    if user is None:
        return render(request, "storefront/account/link_invalid.html", status=400)
    form = NewPasswordForm(request.POST if request.method == "POST" else None, user=user)
    if form.is_bound and form.is_valid():
        try:
            notices = services.password_set(
                user=user, password=form.cleaned_data["new_password"], request=request,
                event=AuditEvent.PASSWORD_RESET, keep_current_session=False)
        except ApplicationError as exc:
            form.add_error("new_password", exc.message)
        else:
            for notice in notices:
                messages.warning(request, notice)
            messages.success(request, "Your password is changed. Please log in.")
            return redirect("storefront:login")
    return render(request, "storefront/account/password_reset_confirm.html", {"form": form},
                  status=400 if form.is_bound else 200)


@sensitive_post_parameters("current_password", "new_password", "new_password_confirm")
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    user = request.user
    if mfa.mfa_enrolled(user=user) and not mfa_fresh(request=request):
        return step_up(request, request.get_full_path())
    form = NewPasswordForm(request.POST if request.method == "POST" else None, user=user,
                           ask_current=True)
    if form.is_bound and form.is_valid():
        try:
            notices = services.password_set(
                user=user, password=form.cleaned_data["new_password"], request=request,
                event=AuditEvent.PASSWORD_CHANGED, keep_current_session=True)
        except ApplicationError as exc:
            form.add_error("new_password", exc.message)
        else:
            for notice in notices:
                messages.warning(request, notice)
            messages.success(request, "Your password is changed. Every other browser "
                                      "was signed out.")
            return redirect(safe_next(request, reverse("storefront:security")))
    return render(request, "storefront/account/password_change.html",
                  {"form": form, "next": safe_next(request, "")},
                  status=400 if form.is_bound else 200)

"""Staff management (owner only): invite by email, change roles, disable. And the
invitation link's page, where an invited person sets a password (then the accounts
middleware makes them enrol a second factor before anything else)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from strongroom.protection.access import selectors as access
from strongroom.protection.access import staff as staff_services
from strongroom.protection.access.errors import AccessError, InviteInvalid
from strongroom.protection.access.roles import Perm, Role
from strongroom.protection.accounts import services as account_services
from strongroom.publicurl import public_url

from ..access_forms import InviteAcceptForm, StaffInviteForm, StaffRoleForm
from ..permissions import perm_required
from .common import get_or_404, preload_keys


def _invite_link(raw: str) -> str:
    return public_url(reverse("console:invite_accept", args=[raw]))


def _render_list(request: HttpRequest, *, invite_form: StaffInviteForm | None = None,
                 status: int = 200) -> HttpResponse:
    staff = list(access.staff_list())
    preload_keys(request, staff)
    rows = []
    for user in staff:
        role = user.staff_role.role if hasattr(user, "staff_role") else (
            Role.OWNER.value if user.is_superuser else "")
        state = ("active" if user.is_active else
                 "invited" if access.invite_pending(user=user) else
                 "disabled" if user.has_usable_password() else "invitation expired")
        rows.append((user, state, StaffRoleForm(prefix=f"s{user.pk.hex}",
                                                initial={"role": role})))
    return render(request, "console/staff/list.html", {
        "rows": rows, "invite_form": invite_form or StaffInviteForm()}, status=status)


@perm_required(Perm.STAFF_MANAGE)
@require_GET
def staff_list(request: HttpRequest) -> HttpResponse:
    return _render_list(request)


@perm_required(Perm.STAFF_MANAGE)
@require_POST
def staff_invite(request: HttpRequest) -> HttpResponse:
    form = StaffInviteForm(request.POST)
    if not form.is_valid():
        return _render_list(request, invite_form=form, status=400)
    data = form.cleaned_data
    try:
        staff_services.staff_invite(
            email=data["email"], full_name=data["full_name"], role=Role(data["role"]),
            by=request.user, link=_invite_link)
    except AccessError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return _render_list(request, invite_form=form, status=409)
    messages.success(request, "Invitation sent. The link works once, for 72 hours.")
    return redirect("console:staff_list")


@perm_required(Perm.STAFF_MANAGE)
@require_POST
def staff_role(request: HttpRequest, staff_id: UUID) -> HttpResponse:
    user = get_or_404(access.staff_get, staff_id=staff_id)
    form = StaffRoleForm(request.POST, prefix=f"s{user.pk.hex}")
    if not form.is_valid():
        messages.error(request, "Choose one of the roles.")
        return _render_list(request, status=400)
    try:
        changed = staff_services.staff_role_set(user=user, role=Role(form.cleaned_data["role"]),
                                                by=request.user)
    except AccessError as exc:
        messages.error(request, exc.message)
        return _render_list(request, status=exc.status)
    if changed:
        messages.success(request, "Role changed.")
    return redirect("console:staff_list")


def _staff_action(request: HttpRequest, staff_id: UUID, action: Callable[[Any], object],
                  done: str) -> HttpResponse:
    """One owner action on one staff account: a refusal re-renders the list with its
    status and message, success goes back to the list with ``done``."""
    user = get_or_404(access.staff_get, staff_id=staff_id)
    try:
        action(user)
    except AccessError as exc:
        messages.error(request, exc.message)
        return _render_list(request, status=exc.status)
    messages.success(request, done)
    return redirect("console:staff_list")


@perm_required(Perm.STAFF_MANAGE)
@require_POST
def staff_disable(request: HttpRequest, staff_id: UUID) -> HttpResponse:
    return _staff_action(
        request, staff_id, lambda user: staff_services.staff_disable(user=user, by=request.user),
        "Account disabled: it can no longer sign in.")


@perm_required(Perm.STAFF_MANAGE)
@require_POST
def staff_enable(request: HttpRequest, staff_id: UUID) -> HttpResponse:
    return _staff_action(
        request, staff_id, lambda user: staff_services.staff_enable(user=user, by=request.user),
        "Account re-enabled: it must choose a new password at its next sign-in.")


@perm_required(Perm.STAFF_MANAGE)
@require_POST
def staff_reinvite(request: HttpRequest, staff_id: UUID) -> HttpResponse:
    def reinvite(user: Any) -> object:
        return staff_services.staff_invite_resend(
            user=user, by=request.user, link=_invite_link)

    return _staff_action(request, staff_id, reinvite,
                         "A new invitation is sent (earlier links no longer work).")


@sensitive_post_parameters("password", "password_again")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def invite_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Open to anyone holding the link: the token is the credential. Unknown, used and
    expired links all get the same 404 page."""
    try:
        invite = staff_services.invite_get(raw=token)
    except InviteInvalid as exc:
        return render(request, "console/staff/accept.html", {"invalid": exc.message},
                      status=404)
    form = InviteAcceptForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            user = staff_services.staff_invite_accept(raw=token,
                                                      password=form.cleaned_data["password"])
        except InviteInvalid as exc:
            return render(request, "console/staff/accept.html", {"invalid": exc.message},
                          status=404)
        except ValidationError as exc:
            form.add_error("password", exc)
        else:
            # They have just chosen the password: that counts as typing it.
            signed_in = account_services.login_first_step_done(
                request=request, user=user, password_verified=True)
            if signed_in.outcome is account_services.LoginOutcome.MFA:
                query = urlencode({"next": reverse("console:dashboard")})
                return redirect(f"{reverse('storefront:mfa_step_up')}?{query}")
            messages.success(request, "Welcome. Next, set up your second factor.")
            return redirect("console:dashboard")
    return render(request, "console/staff/accept.html", {"form": form, "invite": invite},
                  status=400 if form.is_bound else 200)


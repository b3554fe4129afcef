"""The public privacy policy, the unsubscribe link, and the privacy centre's actions
(download my data, delete my account). Every account action is on the signed-in
customer's own data only; a download or an erasure also needs a fresh sign-in (the
password typed, or a second factor, in the last few minutes), so a session left open on
a shared computer cannot take or destroy the account's data."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from strongroom.protection.accounts.selectors import mfa_fresh, password_fresh
from strongroom.protection.privacy import selectors, services
from strongroom.protection.privacy.errors import PrivacyError, PrivacyErrorCode
from strongroom.protection.privacy.exports import export_token
from strongroom.protection.privacy.models import ErasureReceipt

from ..forms.privacy import AccountDeleteForm


@require_http_methods(["GET", "HEAD"])
def policy(request: HttpRequest) -> HttpResponse:
    current = services.policy_publish()
    version = current
    wanted = request.GET.get("version", "")
    if wanted:
        if not wanted.isdigit() or len(wanted) > 6:
            return render(request, "storefront/privacy/policy_missing.html", status=404)
        version = selectors.policy_version_get(number=int(wanted))
        if version is None:
            return render(request, "storefront/privacy/policy_missing.html", status=404)
    return render(request, "storefront/privacy/policy.html", {
        "version": version, "current": current, "doc": version.document,
        "changes": services.policy_changes(version=version),
        "versions": selectors.policy_versions()[:20],
    })


@csrf_exempt  # RFC 8058 one-click POSTs from mail clients; the signed token is the key
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks (link scanners must not unsubscribe anyone); POST withdraws."""
    try:
        user, purpose = services.unsubscribe_user(token=token)
    except PrivacyError:
        return render(request, "storefront/privacy/unsubscribe_invalid.html", status=400)
    if request.method == "POST":
        services.unsubscribe(token=token, request=request)
        return render(request, "storefront/privacy/unsubscribed.html")
    return render(request, "storefront/privacy/unsubscribe.html",
                  {"wording": services.CONSENT_WORDING[purpose]})


def centre_context(request: HttpRequest) -> dict[str, Any]:
    """The privacy centre's sections around the existing consent and access-log ones."""
    user = request.user
    exports = list(selectors.exports_of(user=user)[:5])
    return {
        "exports": [(e, export_token(export_id=e.pk)) for e in exports],
        "export_building": any(e.status in ("pending", "building") for e in exports),
        "consent_history": list(selectors.consent_history(user=user)[:20]),
        "consent_wording": services.CONSENT_WORDING["marketing_email"],
        "pending_erasure": selectors.request_pending_erasure(user=user),
    }


def _fresh(request: HttpRequest) -> bool:
    return password_fresh(request=request) or mfa_fresh(request=request)


def _confirm_first(request: HttpRequest, back: str) -> HttpResponse:
    return redirect(f"{reverse('storefront:password_confirm')}?{urlencode({'next': back})}")


@login_required
@require_POST
def export_request(request: HttpRequest) -> HttpResponse:
    services.export_request(user=request.user, request=request)
    messages.success(request, "We are preparing your data. This page shows when it is ready.")
    return redirect(reverse("storefront:privacy") + "#export")


@login_required
@never_cache
@require_http_methods(["GET", "HEAD"])
def export_download(request: HttpRequest, token: str) -> HttpResponse:
    if not _fresh(request):
        return _confirm_first(request, request.path)
    try:
        export, blob = services.export_download(user=request.user, token=token,
                                                request=request)
    except PrivacyError as exc:
        if exc.code == PrivacyErrorCode.NOT_FOUND:
            raise Http404 from None
        return render(request, "storefront/privacy/export_gone.html", status=410)
    response = HttpResponse(blob, content_type="application/zip")
    response["Content-Disposition"] = (
        f'attachment; filename="my-data-{export.created_at:%Y%m%d}.zip"')
    return response


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def account_delete(request: HttpRequest) -> HttpResponse:
    if not _fresh(request):
        return _confirm_first(request, request.path)
    form = AccountDeleteForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            outcome = services.erasure_request(user=request.user)
        except PrivacyError as exc:
            form.add_error(None, str(exc))
        else:
            if isinstance(outcome, ErasureReceipt):
                logout(request)
                request.session["privacy_receipt"] = str(outcome.id)
                return redirect("storefront:account_erased")
            messages.success(request, "Your account will be erased on "
                                      f"{outcome.erase_after:%d %B %Y}.")
            return redirect("storefront:privacy")
    return render(request, "storefront/account/delete.html", {"form": form},
                  status=400 if form.is_bound else 200)


@never_cache
@require_http_methods(["GET", "HEAD"])
def account_erased(request: HttpRequest) -> HttpResponse:
    receipt = selectors.receipt_get(receipt_id=request.session.get("privacy_receipt", ""))
    if receipt is None:
        return redirect("storefront:home")
    return render(request, "storefront/account/erased.html", {"receipt": receipt})

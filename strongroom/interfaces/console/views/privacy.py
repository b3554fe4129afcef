"""The console's privacy pages: the request queue (requests received by email, phone or
post, with identity verification, assignee and the one-month deadline), the data
inventory, the erasure ledger and the owner's policy text.

Erasing is the one action here that destroys data: it needs ``privacy.erase`` (checked
below, in this view, so a refusal can be audited as ERASURE_REFUSED rather than being a
silent 403), a second factor from the last few minutes, and a verified request.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from strongroom.protection.access.roles import Perm
from strongroom.protection.privacy import selectors, services
from strongroom.protection.privacy.errors import PrivacyError
from strongroom.protection.privacy.models import RequestKind
from strongroom.protection.privacy.requests import CHANNELS, erasure_refused

from ..permissions import STEP_UP_MISSING, can, perm_required, step_up_needed, step_up_url


class RequestForm(forms.Form):
    kind = forms.ChoiceField(choices=RequestKind.choices)
    channel = forms.ChoiceField(choices=[(c, c) for c in CHANNELS])
    email = forms.EmailField(label="Customer's account email", max_length=254)


class SectionForm(forms.Form):
    title = forms.CharField(max_length=120)
    body = forms.CharField(max_length=5000, widget=forms.Textarea)


def _request_or_404(request_id: object):
    found = selectors.request_get(request_id=request_id)
    if found is None:
        raise Http404("No such request.")
    return found


@perm_required(Perm.PRIVACY_REQUESTS)
@require_http_methods(["GET", "HEAD", "POST"])
def request_queue(request: HttpRequest) -> HttpResponse:
    form = RequestForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            opened = services.request_open(by=request.user, **form.cleaned_data)
        except PrivacyError as exc:
            form.add_error("email", str(exc))
        else:
            messages.success(request, f"Request {opened.reference} opened.")
            return redirect("console:privacy_request", opened.pk)
    now = timezone.now()
    rows = [(r, (r.due_at - now).days) for r in selectors.requests_open()]
    return render(request, "console/privacy/queue.html", {
        "section": "privacy", "form": form, "rows": rows,
        "closed": selectors.requests_closed(),
    }, status=400 if form.is_bound else 200)


@perm_required(Perm.PRIVACY_REQUESTS)
@require_http_methods(["GET", "HEAD", "POST"])
def request_detail(request: HttpRequest, request_id) -> HttpResponse:
    item = _request_or_404(request_id)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action in ("verified", "failed"):
                services.request_verify(by=request.user, request=item,
                                        verified=action == "verified")
            elif action == "assign_me":
                services.request_assign(by=request.user, request=item, assignee=request.user)
            elif action in ("done", "refused"):
                services.request_close(by=request.user, request=item,
                                       outcome=request.POST.get("outcome", ""),
                                       refused=action == "refused")
            else:
                return HttpResponse("Unknown action.", status=400)
        except PrivacyError as exc:
            messages.error(request, str(exc))
        return redirect("console:privacy_request", item.pk)
    return render(request, "console/privacy/request.html", {
        "section": "privacy", "item": item, "days_left": (item.due_at - timezone.now()).days,
        "can_erase": can(request.user, Perm.PRIVACY_ERASE),
    })


@perm_required(Perm.PRIVACY_REQUESTS)
@require_POST
def request_erase(request: HttpRequest, request_id) -> HttpResponse:
    item = _request_or_404(request_id)
    page = reverse("console:privacy_request", args=[item.pk])
    if not can(request.user, Perm.PRIVACY_ERASE):
        erasure_refused(by=request.user, request=item, reason="no privacy.erase permission")
        return HttpResponse("Your role does not include erasing customers.", status=403)
    if step_up_needed(request):
        url = step_up_url(request, next_url=page)
        messages.info(request, STEP_UP_MISSING if url is None
                      else "Confirm it is you with your second factor, then erase again.")
        return redirect(url or page)
    try:
        receipt = services.request_erase(by=request.user, request=item)
    except PrivacyError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Erased. Receipt {receipt.id} was sent to the customer.")
    return redirect(page)


@perm_required(Perm.PRIVACY_VIEW)
@require_GET
def inventory(request: HttpRequest) -> HttpResponse:
    return render(request, "console/privacy/inventory.html", {
        "section": "privacy", "rows": selectors.inventory(),
    })


@perm_required(Perm.PRIVACY_VIEW)
@require_GET
def ledger(request: HttpRequest) -> HttpResponse:
    return render(request, "console/privacy/ledger.html", {
        "section": "privacy", "entries": selectors.ledger_entries().reverse()[:200],
    })


@perm_required(Perm.PRIVACY_POLICY_MANAGE)
@require_http_methods(["GET", "HEAD", "POST"])
def policy_sections(request: HttpRequest) -> HttpResponse:
    form = SectionForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            services.policy_section_save(by=request.user, **form.cleaned_data)
        except PrivacyError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Section added; a new policy version is published.")
            return redirect("console:privacy_policy")
    return render(request, "console/privacy/policy.html", {
        "section": "privacy", "form": form, "versions": selectors.policy_versions()[:20],
        "sections": selectors.policy_sections(),
    }, status=400 if form.is_bound else 200)

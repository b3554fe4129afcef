"""The customer's privacy page: "who looked at my data and why" (from the audit log)
and the marketing-consent switch. Only ever the signed-in customer's own data."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from strongroom.commerce.orders.selectors import order_list_for_user
from strongroom.protection.access.history import history_rows
from strongroom.protection.access.selectors import marketing_consent_of
from strongroom.protection.audit.selectors import audit_access_to_subject_grouped
from strongroom.protection.privacy.services import consent_set

from ..forms.privacy import MarketingConsentForm
from .privacy_centre import centre_context

PER_PAGE = 20


@login_required
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def privacy(request: HttpRequest) -> HttpResponse:
    user = request.user
    consent = marketing_consent_of(user=user)
    form = MarketingConsentForm(request.POST if request.method == "POST" else None,
                                initial={"marketing": bool(consent and consent.agreed)})
    if form.is_bound and form.is_valid():
        agreed = form.cleaned_data["marketing"]
        consent_set(user=user, purpose="marketing_email", agreed=agreed, method="account",
                    request=request)
        messages.success(request, "You will get our offers and news by email." if agreed
                         else "You will get no marketing email from us.")
        return redirect("storefront:privacy")
    # Repeated views (same staff member, day, fields) are one row with a count.
    page = Paginator(audit_access_to_subject_grouped(subject_id=user.subject_id),
                     PER_PAGE).get_page(request.GET.get("page"))
    references = {str(o.pk): o.reference for o in order_list_for_user(user=user)}
    rows = [(row, references.get(row.object_id) if row.object_type == "orders.order" else None)
            for row in history_rows(page.object_list, names=False)]
    return render(request, "storefront/account/privacy.html", {
        "form": form, "consent": consent, "page": page, "rows": rows,
        **centre_context(request),
    }, status=400 if form.is_bound else 200)

"""Phishing simulation pages: campaigns (owner), the "Report phishing" button (every
console user), and the landing page a simulated email's link opens (no sign-in: the
signed link is the credential; a tampered one is a 404 and records nothing)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from strongroom.protection.access.roles import Perm
from strongroom.protection.access.selectors import staff_list
from strongroom.protection.people.errors import PeopleError
from strongroom.protection.people.models import PhishingCampaign
from strongroom.protection.people.phishing import services as phishing

from ..permissions import perm_required, staff_required


@perm_required(Perm.STAFF_MANAGE)
@require_http_methods(["GET", "POST"])
def campaign_list(request: HttpRequest) -> HttpResponse:
    status = 200
    if request.method == "POST":
        try:
            phishing.phishing_campaign_send(
                template=request.POST.get("template", ""), by=request.user,
                user_ids=[i for i in request.POST.getlist("staff") if _uuidish(i)],
                link=lambda t: request.build_absolute_uri(reverse("phish_landing", args=[t])))
        except PeopleError as exc:
            messages.error(request, exc.message)
            status = 400
        else:
            messages.success(request, "Campaign sent.")
            return redirect("console:phishing")
    campaigns = [(c, phishing.campaign_counts(campaign=c))
                 for c in PhishingCampaign.objects.all()[:50]]
    return render(request, "console/phishing/list.html", {
        "section": "phishing", "campaigns": campaigns, "templates": phishing.TEMPLATES,
        "staff": [u for u in staff_list() if u.is_active]}, status=status)


@staff_required
@require_POST
def phishing_report(request: HttpRequest) -> HttpResponse:
    simulated = phishing.phishing_report(user=request.user, request=request)
    messages.success(request, "Thank you for reporting it." + (
        " It was a simulation: well spotted." if simulated else
        " The security officer has been alerted. Do not click its links."))
    return redirect("console:dashboard")


@never_cache
@require_GET
def landing(request: HttpRequest, token: str) -> HttpResponse:
    target = phishing.phishing_click(token=token)
    if target is None:
        raise Http404("No such page.")
    return render(request, "console/phishing/landing.html", {})


def _uuidish(value: str) -> bool:
    return len(value) <= 36 and all(c in "0123456789abcdef-" for c in value.lower())

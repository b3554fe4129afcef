"""Phishing simulation pages: campaigns (owner: schedule, cancel before sending), the
"Report phishing" button (every console user), and the landing page a simulated email's
link opens (no sign-in: the signed link is the credential; a tampered one is a 404 and
records nothing; a client sending bad links is throttled)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from strongroom.protection.access.roles import Perm
from strongroom.protection.people import selectors as people
from strongroom.protection.people import services as people_services
from strongroom.protection.people.errors import CampaignNotFound, PeopleError

from ..permissions import perm_required, staff_required
from ..phishing_forms import CampaignForm, zone_name


def _form(data=None) -> CampaignForm:
    return CampaignForm(data, templates=people.phishing_templates(),
                        recipients=people.phishing_recipients())


def _page(request: HttpRequest, form: CampaignForm, status: int = 200) -> HttpResponse:
    return render(request, "console/phishing/list.html", {
        "section": "phishing", "form": form, "campaigns": people.phishing_campaigns(),
        "zone": zone_name()}, status=status)


@perm_required(Perm.STAFF_MANAGE)
@require_http_methods(["GET", "POST"])
def campaign_list(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _page(request, _form())
    form = _form(request.POST)
    if form.is_valid():
        try:
            campaign = people_services.phishing_campaign_schedule(by=request.user,
                                                                  **form.service_args())
        except PeopleError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            later = campaign.send_at > campaign.created_at
            messages.success(request, "Campaign scheduled: cancel it here until it is sent."
                             if later else "Campaign is being sent.")
            return redirect("console:phishing")
    return _page(request, form, status=400)


@perm_required(Perm.STAFF_MANAGE)
@require_POST
def campaign_cancel(request: HttpRequest, campaign_id: int) -> HttpResponse:
    try:
        people_services.phishing_campaign_cancel(campaign_id=campaign_id, by=request.user)
    except CampaignNotFound:
        raise Http404("No such campaign.") from None
    except PeopleError as exc:
        messages.error(request, exc.message)
        return _page(request, _form(), status=exc.status)
    messages.success(request, "Campaign cancelled: nothing was sent.")
    return redirect("console:phishing")


@staff_required
@require_POST
def phishing_report(request: HttpRequest) -> HttpResponse:
    simulated = people_services.phishing_report(user=request.user, request=request)
    messages.success(request, "Thank you for reporting it." + (
        " It was a simulation: well spotted." if simulated else
        " The security officer has been alerted. Do not click its links."))
    return redirect("console:dashboard")


@never_cache
@require_GET
def landing(request: HttpRequest, token: str) -> HttpResponse:
    result = people_services.phishing_landing(token=token,
                                              ip=request.META.get("REMOTE_ADDR", ""))
    if result.retry_after:
        response = HttpResponse("Too many requests. Try again later.", status=429,
                                content_type="text/plain; charset=utf-8")
        response["Retry-After"] = str(result.retry_after)
        return response
    if not result.found:
        raise Http404("No such page.")
    response = render(request, "console/phishing/landing.html", {})
    response["X-Robots-Tag"] = "noindex"
    return response

"""The one alert page: every alert any part of the store raised (sign-in attacks, the
reveal limit, payment pages, audit verification, backups, jobs...), whatever its kind.
Owner, admin and security officer read it; owner and security officer acknowledge
(audited, SECURITY_ALERT_ACKNOWLEDGED)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from strongroom.protection.access.roles import Perm
from strongroom.protection.alerts.selectors import alert_counts, alerts_list
from strongroom.protection.alerts.services import alert_acknowledge as alert_acknowledge_do

from ..permissions import can, perm_required


@perm_required(Perm.ALERTS_VIEW)
@require_GET
def alert_list(request: HttpRequest) -> HttpResponse:
    return render(request, "console/security/alerts.html", {
        "alerts": alerts_list(),
        "counts": alert_counts(),
        "can_manage": can(request.user, Perm.ALERTS_MANAGE),
    })


@perm_required(Perm.ALERTS_MANAGE)
@require_POST
def alert_acknowledge(request: HttpRequest, alert_id: int) -> HttpResponse:
    if not alert_acknowledge_do(alert_id=alert_id, by=request.user):
        raise Http404("No open alert with that number.")
    messages.success(request, "Alert acknowledged.")
    return redirect("console:alerts")

"""Sign-in security alerts in the console: security officer, admin (read) and owner."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from strongroom.protection.access.roles import Perm
from strongroom.protection.accounts.alerts import (
    security_alert_acknowledge,
    security_alerts_list,
)

from ..permissions import can, perm_required


@perm_required(Perm.SIGN_IN_ALERTS_VIEW)
@require_GET
def alert_list(request: HttpRequest) -> HttpResponse:
    return render(request, "console/security/alerts.html", {
        "alerts": security_alerts_list(),
        "can_manage": can(request.user, Perm.SIGN_IN_ALERTS_MANAGE),
    })


@perm_required(Perm.SIGN_IN_ALERTS_MANAGE)
@require_POST
def alert_acknowledge(request: HttpRequest, alert_id: int) -> HttpResponse:
    if not security_alert_acknowledge(alert_id=alert_id, by=request.user):
        raise Http404("No open alert with that number.")
    messages.success(request, "Alert acknowledged.")
    return redirect("console:signin_alerts")

"""The one alert page: every alert any part of the store raised (sign-in attacks, the
reveal limit, payment pages, audit verification, backups, jobs...), whatever its kind.
Owner, admin and security officer read it; owner and security officer acknowledge
(audited, SECURITY_ALERT_ACKNOWLEDGED)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from strongroom.commerce.payments import selectors as payment_selectors
from strongroom.commerce.payments.services import alert_resolve as payment_alert_resolve
from strongroom.protection.access.roles import Perm
from strongroom.protection.alerts.selectors import alert_counts, alert_get, alerts_list
from strongroom.protection.alerts.services import alert_acknowledge as alert_acknowledge_do

from ..permissions import can, perm_required


@perm_required(Perm.ALERTS_VIEW)
@require_GET
def alert_list(request: HttpRequest) -> HttpResponse:
    return render(request, "console/security/alerts.html", {
        "alerts": alerts_list(),
        "counts": alert_counts(),
        "can_manage": can(request.user, Perm.ALERTS_MANAGE),
        "can_incident": can(request.user, Perm.INCIDENTS_MANAGE),
    })


@perm_required(Perm.ALERTS_MANAGE)
@require_POST
def alert_acknowledge(request: HttpRequest, alert_id: int) -> HttpResponse:
    alert = alert_get(alert_id=alert_id)
    if alert is None or not alert_acknowledge_do(alert_id=alert_id, by=request.user):
        raise Http404("No open alert with that number.")
    # A payment alert acknowledged here is closed on the Payments security page too (the
    # same people may do both); accepting a changed page as the new baseline stays there.
    payment_alert_id = alert.detail.get("payment_alert") if alert.source == "payments" else None
    if isinstance(payment_alert_id, int) and can(request.user, Perm.PAYMENT_SECURITY_MANAGE):
        payment_alert = payment_selectors.alert_open_get(alert_id=payment_alert_id)
        if payment_alert is not None:
            payment_alert_resolve(alert=payment_alert, actor=request.user)
    messages.success(request, "Alert acknowledged.")
    return redirect("console:alerts")

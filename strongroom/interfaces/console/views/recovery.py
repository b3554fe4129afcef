"""Disaster recovery in the console: backups per destination, the last drill, a chart of
size and duration, the printable DR plan, and the maintenance-mode switch (owner)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from strongroom.protection.access import selectors as access
from strongroom.protection.access.roles import Perm
from strongroom.protection.backups import selectors, services

from ..permissions import can, perm_required


@perm_required(Perm.RECOVERY_VIEW)
@require_GET
def recovery(request: HttpRequest) -> HttpResponse:
    selectors.maintenance_cache_clear()
    return render(request, "console/recovery/overview.html", {
        "destinations": selectors.recovery_destinations(),
        "drill": selectors.drill_latest(),
        "backups": selectors.backups_recent(limit=10),
        "bars": selectors.recovery_chart(),
        "maintenance": selectors.maintenance_state(),
        "can_switch": can(request.user, Perm.MAINTENANCE_MANAGE),
    })


@perm_required(Perm.RECOVERY_VIEW)
@require_GET
def recovery_plan(request: HttpRequest) -> HttpResponse:
    return render(request, "console/recovery/plan.html", {
        **selectors.recovery_plan(), "owners": access.owners_active()})


@perm_required(Perm.MAINTENANCE_MANAGE)
@require_POST
def maintenance_switch(request: HttpRequest) -> HttpResponse:
    if request.POST.get("state") == "on":
        message = request.POST.get("message", "").strip()
        if not message or len(message) > 500:
            messages.error(request, "Write a message for shoppers (at most 500 characters).")
            return redirect("console:recovery")
        services.maintenance_on(message=message, by=request.user)
        messages.success(request, "Maintenance mode is on: shoppers see your message.")
    elif request.POST.get("state") == "off":
        services.maintenance_off(by=request.user)
        messages.success(request, "Maintenance mode is off: the shop is open.")
    else:
        messages.error(request, "Choose on or off.")
    return redirect("console:recovery")

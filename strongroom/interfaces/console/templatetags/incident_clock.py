"""``{% incident_clock request.user %}``: the GDPR Art. 33 72-hour clock, on every console
page while an incident is open, for those who may see incidents (owner, security
officer). Not shown to other staff: a support account under investigation must not
learn of it from a banner."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from strongroom.protection.access.roles import Perm
from strongroom.protection.incidents.owner_time import owner_time
from strongroom.protection.incidents.selectors import incidents_open

from ..permissions import can

register = template.Library()


@register.inclusion_tag("console/incidents/_clock.html")
def incident_clock(user: Any) -> dict[str, Any]:
    if not can(user, Perm.INCIDENTS_VIEW):
        return {"incident": None}
    incident = incidents_open().first()  # the one whose deadline comes first
    if incident is None:
        return {"incident": None}
    left = incident.deadline - timezone.now()
    hours = int(left.total_seconds() // 3600)
    return {"incident": incident, "hours_left": hours, "overdue": hours < 0, "late": -hours,
            "more": incidents_open().count() - 1}


@register.filter(name="owner_time")
def owner_time_filter(at: Any) -> str:
    """``{{ incident.deadline|owner_time }}``: on the owner's clock, zone named."""
    return owner_time(at) if at else ""

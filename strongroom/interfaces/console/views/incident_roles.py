"""Who does what in one incident (NIST SP 800-61): the incident lead, communications and
technical roles. Anyone who may see incidents sees them; the owner or security officer
sets them (audited by ``incidents.services.incident_roles_set``)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from strongroom.protection.access.roles import Perm
from strongroom.protection.access.selectors import role_of, staff_list
from strongroom.protection.incidents import services
from strongroom.protection.incidents.errors import IncidentError

from ..permissions import can, perm_required
from .incidents import _incident

ROLES = (("lead", "Incident lead"), ("communications", "Communications"),
         ("technical", "Technical"))


class RolesForm(forms.Form):
    def __init__(self, *args, staff: list, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "— nobody —")] + [
            (str(u.pk), f"{u.full_name} ({getattr(role_of(u), 'label', 'no role')})")
            for u in staff]
        for name, label in ROLES:
            self.fields[name] = forms.ChoiceField(choices=choices, required=False, label=label)


@perm_required(Perm.INCIDENTS_VIEW)
@require_http_methods(["GET", "POST"])
def incident_roles(request: HttpRequest, incident_id) -> HttpResponse:
    incident = _incident(incident_id)
    staff = list(staff_list().filter(is_active=True))
    by_id = {str(u.pk): u for u in staff}
    current = {name: getattr(incident, f"{name}_id") for name, _ in ROLES}
    form = RolesForm(request.POST or None, staff=staff,
                     initial={k: str(v) if v else "" for k, v in current.items()})
    status, error = 200, ""
    if request.method == "POST":
        if not can(request.user, Perm.INCIDENTS_MANAGE):
            raise PermissionDenied("Your role does not include this.")
        if form.is_valid():
            try:
                services.incident_roles_set(
                    incident=incident, by=request.user, request=request,
                    **{name: by_id.get(form.cleaned_data[name]) for name, _ in ROLES})
            except IncidentError as exc:
                error = str(exc)
            else:
                return redirect("console:incident_roles", incident.pk)
        status = 400
    holders = [(label, by_id.get(str(current[name])) if current[name] else None)
               for name, label in ROLES]
    return render(request, "console/incidents/roles.html", {
        "section": "incidents", "incident": incident, "holders": holders, "form": form,
        "can_manage": can(request.user, Perm.INCIDENTS_MANAGE), "error": error,
    }, status=status)

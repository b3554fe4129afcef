"""Incident pages (/console/incidents/): the owner and the security officer read them
(``incidents.view``) and act on them (``incidents.manage``)."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from strongroom.protection.access.roles import Perm, Role
from strongroom.protection.access.selectors import reveals_frozen, role_of
from strongroom.protection.incidents import (
    blocking,
    containment,
    notices,
    playbooks,
    rekey,
    selectors,
    services,
    webhook_rekey,
)
from strongroom.protection.incidents.errors import IncidentError
from strongroom.protection.incidents.models import Kind
from strongroom.protection.incidents.owner_time import owner_time_zone, owner_time_zone_set
from strongroom.protection.incidents.scope import ScopeQuery

from ..incident_forms import IncidentForm, NoteForm, NoticeForm, ReviewForm, ScopeForm
from ..permissions import (
    STEP_UP_ASK,
    STEP_UP_MISSING,
    can,
    perm_required,
    step_up_needed,
    step_up_url,
)


def _incident(incident_id):
    incident = selectors.incident_get(incident_id=incident_id)
    if incident is None:
        raise Http404("No such incident.")
    return incident


@perm_required(Perm.INCIDENTS_VIEW)
@require_http_methods(["GET", "POST"])
def incident_list(request: HttpRequest) -> HttpResponse:
    form = IncidentForm(request.POST or None)
    if request.method == "POST":
        if not can(request.user, Perm.INCIDENTS_MANAGE):
            raise PermissionDenied("Your role does not include this.")
        if form.is_valid():
            try:
                incident = services.incident_open(
                    title=form.cleaned_data["title"], kind=form.cleaned_data["kind"],
                    severity=form.cleaned_data["severity"], by=request.user,
                    became_aware_at=form.cleaned_data["became_aware_at"], request=request,
                    exercise=form.cleaned_data["exercise"])
            except IncidentError as exc:
                form.add_error(None, str(exc))
            else:
                return redirect("console:incident_detail", incident.pk)
    return _list(request, form, status=400 if form.errors else 200)


def _list(request: HttpRequest, form: IncidentForm, *, status: int = 200,
          time_zone: str | None = None, time_zone_error: str = "") -> HttpResponse:
    return render(request, "console/incidents/list.html", {
        "section": "incidents", "incidents": selectors.incidents_list()[:200], "form": form,
        "can_manage": can(request.user, Perm.INCIDENTS_MANAGE),
        "time_zone": time_zone or owner_time_zone().key, "time_zone_error": time_zone_error,
    }, status=status)


@perm_required(Perm.INCIDENTS_MANAGE)
@require_POST
def incident_time_zone(request: HttpRequest) -> HttpResponse:
    """The owner's time zone, in which deadlines are shown."""
    name = request.POST.get("time_zone", "")
    try:
        owner_time_zone_set(name=name, by=request.user, request=request)
    except IncidentError as exc:
        return _list(request, IncidentForm(), status=400, time_zone=name[:64],
                     time_zone_error=str(exc))
    return redirect("console:incident_list")


@perm_required(Perm.INCIDENTS_MANAGE)
@require_POST
def incident_from_alert(request: HttpRequest, alert_id: int) -> HttpResponse:
    try:
        incident = services.incident_open_from_alert(alert_id=alert_id, by=request.user,
                                                     request=request)
    except IncidentError:
        raise Http404("No alert with that number.") from None
    return redirect("console:incident_detail", incident.pk)


def _detail(request: HttpRequest, incident, *, status: int = 200, **forms) -> HttpResponse:
    return render(request, "console/incidents/detail.html", {
        "section": "incidents", "incident": incident,
        "timeline": selectors.incident_timeline(incident=incident),
        "scope": incident.scope.order_by("subject_id")[:1000],
        "scope_count": incident.scope.count(),
        "note_form": forms.get("note_form") or NoteForm(),
        "scope_form": forms.get("scope_form") or ScopeForm(),
        "review_form": forms.get("review_form") or ReviewForm(initial={
            "cause": incident.review_cause, "lessons": incident.review_lessons,
            "follow_ups": incident.review_follow_ups,
            "risks": ", ".join(r.risk.code for r in incident.risk_links.all())}),
        "risk_links": incident.risk_links.select_related("risk").order_by("risk__code"),
        "can_manage": can(request.user, Perm.INCIDENTS_MANAGE),
        "error": forms.get("error"),
        "checklist": playbooks.playbook_checklist(incident=incident),
        "exercise_report": (selectors.exercise_report(incident=incident)
                            if incident.exercise else None),
        "frozen": reveals_frozen(),
        "maintenance_available": containment.maintenance_available(),
        "blocks": blocking.blocks_active(incident=incident),
        "contain_buttons": _buttons(reveals_frozen(), containment.maintenance_available()),
        "webhook_secrets": webhook_rekey.webhook_secrets_status(),
        **_key_fallbacks(), "fallback_days": rekey.fallback_days_default(),
        "max_fallback_days": rekey.MAX_FALLBACK_DAYS,
        "new_webhook_secret": forms.get("new_webhook_secret"),
    }, status=status)


def _key_fallbacks() -> dict:
    try:
        return {"key_fallbacks": rekey.secret_key_fallbacks_status()}
    except IncidentError as exc:  # an unusable fallbacks file: the page says why
        return {"key_fallbacks_error": str(exc)}


def _buttons(frozen: bool, maintenance: bool) -> list[tuple[str, str]]:
    out = [("sign-out-customers", "Sign out every customer"),
           ("sign-out-staff", "Sign out every staff member"),
           ("reset-passwords", "Force password reset (accounts in scope)"),
           ("unfreeze", "Lift the reveal/export freeze") if frozen
           else ("freeze", "Freeze reveals and exports"),
           ("rotate-kek", "Rotate the key-encryption key"),
           ("revoke-api-tokens", "Revoke every API token")]
    if maintenance:
        out += [("maintenance-on", "Maintenance mode on"), ("maintenance-off", "off")]
    return out


@perm_required(Perm.INCIDENTS_VIEW)
@require_GET
def incident_detail(request: HttpRequest, incident_id) -> HttpResponse:
    return _detail(request, _incident(incident_id))


@perm_required(Perm.INCIDENTS_MANAGE)
@require_POST
def incident_action(request: HttpRequest, incident_id, action: str) -> HttpResponse:
    """advance | note | scope | review: each parsed here, decided by its service."""
    incident = _incident(incident_id)
    try:
        if action == "advance":
            services.incident_advance(incident=incident, by=request.user, request=request)
        elif action == "note":
            form = NoteForm(request.POST)
            if not form.is_valid():
                return _detail(request, incident, status=400, note_form=form)
            services.incident_note_add(incident=incident, by=request.user,
                                       text=form.cleaned_data["text"], request=request)
        elif action == "scope":
            form = ScopeForm(request.POST)
            if not form.is_valid():
                return _detail(request, incident, status=400, scope_form=form)
            data = form.cleaned_data
            found = services.incident_scope_record(
                incident=incident, by=request.user, request=request,
                query=ScopeQuery(data["kind"], data["value"], data["since"], data["until"]))
            messages.success(request, f"{len(found)} customers in scope.")
        elif action == "tick":
            playbooks.playbook_tick(incident=incident, step=request.POST.get("step", ""),
                                    by=request.user, request=request)
        elif action == "review":
            form = ReviewForm(request.POST)
            if not form.is_valid():
                return _detail(request, incident, status=400, review_form=form)
            services.incident_review_set(incident=incident, by=request.user, request=request,
                                         **form.cleaned_data)
        else:
            raise Http404("Not found.")
    except IncidentError as exc:
        return _detail(request, incident, status=400, error=str(exc))
    return redirect("console:incident_detail", incident.pk)


CONTAIN_ACTIONS = ("sign-out-customers", "sign-out-staff", "reset-passwords", "disable-staff",
                   "freeze", "unfreeze", "rotate-kek", "maintenance-on", "maintenance-off",
                   "revoke-api-tokens", "rotate-secret-key", "roll-secret-key",
                   "drop-secret-key-fallbacks", "block-range", "unblock-range",
                   "rotate-webhook-secret", "end-webhook-grace")


@perm_required(Perm.INCIDENTS_MANAGE)
@require_POST
def incident_contain(request: HttpRequest, incident_id, action: str) -> HttpResponse:
    """One-click containment: owner or security officer (the decorator) with a second
    factor from the last few minutes (here), then the containment service."""
    incident = _incident(incident_id)
    if action not in CONTAIN_ACTIONS:
        raise Http404("Not found.")
    gateway = request.POST.get("gateway", "")
    if "webhook" in action and gateway not in webhook_rekey.WEBHOOK_GATEWAYS:
        raise Http404("No payment gateway by that name.")
    page = reverse("console:incident_detail", args=[incident.pk])
    if step_up_needed(request):
        url = step_up_url(request, next_url=page)
        if url is None:
            return _detail(request, incident, status=403, error=STEP_UP_MISSING)
        messages.info(request, STEP_UP_ASK)
        return redirect(url)
    try:
        if action in ("sign-out-customers", "sign-out-staff"):
            n = containment.contain_sign_out(incident=incident, by=request.user,
                                             staff=action == "sign-out-staff", request=request)
            messages.success(request, f"{n} sessions ended.")
        elif action == "reset-passwords":
            n = containment.contain_passwords_reset(incident=incident, by=request.user,
                                                    request=request)
            messages.success(request, f"Password reset forced for {n} accounts.")
        elif action == "disable-staff":
            containment.contain_staff_disable(incident=incident, by=request.user,
                                              staff_id=_uuid(request.POST.get("staff_id")),
                                              request=request)
            messages.success(request, "Staff account disabled, signed out, tokens revoked.")
        elif action in ("freeze", "unfreeze"):
            containment.contain_reveals_freeze(incident=incident, by=request.user,
                                               frozen=action == "freeze", request=request)
        elif action == "revoke-api-tokens":
            n = rekey.contain_api_tokens_revoke(incident=incident, by=request.user,
                                                request=request)
            messages.success(request, f"{n} API tokens revoked.")
        elif action == "rotate-secret-key":
            n = rekey.contain_secret_key_rotate(incident=incident, by=request.user,
                                                request=request)
            messages.success(request, f"Secret key rotated: {n} sessions ended (yours too).")
        elif action == "roll-secret-key":
            until = rekey.contain_secret_key_roll(incident=incident, by=request.user,
                                                  days=request.POST.get("days", ""),
                                                  request=request)
            if until is not None:
                messages.success(request, "Secret key rotated; the old one is accepted until "
                                 f"{until:%Y-%m-%d %H:%M} UTC.")
        elif action == "drop-secret-key-fallbacks":
            n = rekey.contain_secret_key_fallbacks_drop(incident=incident, by=request.user,
                                                        request=request)
            messages.success(request, f"{n} earlier secret keys refused from now on.")
        elif action == "rotate-webhook-secret":
            new = webhook_rekey.contain_webhook_secret_rotate(
                incident=incident, by=request.user, gateway=gateway, request=request)
            if new:  # shown this once, never stored in the session (nor a message)
                response = _detail(request, incident, new_webhook_secret=(gateway, new))
                response["Cache-Control"] = "no-store"
                return response
        elif action == "end-webhook-grace":
            webhook_rekey.contain_webhook_grace_end(incident=incident, by=request.user,
                                                    gateway=gateway, request=request)
            messages.success(request, f"The old {gateway} webhook secret is refused from now.")
        elif action == "block-range":
            blocking.range_block(incident=incident, by=request.user,
                                 network=request.POST.get("network", ""),
                                 hours=_hours(request.POST.get("hours")), request=request)
            messages.success(request, "Address range blocked.")
        elif action == "unblock-range":
            blocking.range_unblock(incident=incident, by=request.user,
                                   block_id=request.POST.get("block_id"), request=request)
        elif action == "rotate-kek":
            containment.contain_kek_rotate(incident=incident, by=request.user, request=request)
            messages.success(request, "Key-encryption key rotated.")
        else:
            containment.contain_maintenance(incident=incident, by=request.user,
                                            on=action == "maintenance-on", request=request)
    except IncidentError as exc:
        return _detail(request, incident, status=400, error=str(exc))
    return redirect(page)


def _hours(value: object) -> int:
    try:
        return int(str(value or "").strip())
    except ValueError:
        raise IncidentError("Give the number of hours the block lasts.") from None


def _uuid(value: object) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise IncidentError("Give the staff account's number.") from None


@perm_required(Perm.INCIDENTS_MANAGE)
@require_http_methods(["GET", "POST"])
def incident_notices(request: HttpRequest, incident_id) -> HttpResponse:
    """Drafts of the customer notice and the regulator report: edit (owner or security
    officer), approve (owner only, in the service), send the customer notice (owner)."""
    incident = _incident(incident_id)
    drafts = {n.kind: n for n in notices.notices_draft(incident=incident)}
    error, status = None, 200
    if request.method == "POST":
        action, kind = request.POST.get("action", ""), request.POST.get("kind", "")
        notice = drafts.get(kind)
        try:
            if action == "edit" and notice is not None:
                form = NoticeForm(request.POST)
                if not form.is_valid():
                    raise IncidentError("A notice needs a subject line and a text.")
                notices.notice_edit(notice=notice, by=request.user, request=request,
                                    **form.cleaned_data)
            elif action == "approve" and notice is not None:
                notices.notice_approve(notice=notice, by=request.user, request=request)
            elif action == "send":
                if role_of(request.user) != Role.OWNER:
                    raise IncidentError("Only the owner sends the customer notice.")
                notices.notices_send(incident=incident, by=request.user)
                messages.success(request, "Customer notices are being sent.")
            else:
                raise Http404("Not found.")
        except IncidentError as exc:
            error, status = str(exc), 400
        else:
            return redirect("console:incident_notices", incident.pk)
    return render(request, "console/incidents/notices.html", {
        "section": "incidents", "incident": incident, "error": error,
        "drafts": [(n, NoticeForm(initial={"subject": n.subject, "body": n.body}))
                   for n in drafts.values()],
        "deliveries": incident.deliveries.values("status").annotate(n=Count("id")),
    }, status=status)


@perm_required(Perm.INCIDENTS_MANAGE)
@require_http_methods(["GET", "POST"])
def playbook_edit(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in Kind.values:
        raise Http404("No such incident type.")
    error, text = None, None
    if request.method == "POST":
        text = request.POST.get("text", "")
        try:
            playbooks.playbook_edit(kind=kind, text=text, by=request.user, request=request)
        except IncidentError as exc:
            error = str(exc)
        else:
            messages.success(request, "Playbook saved.")
            return redirect("console:playbook_edit", kind)
    return render(request, "console/incidents/playbook.html", {
        "kind": Kind(kind), "kinds": Kind.choices, "error": error,
        "text": text if text is not None else playbooks.playbook_text(kind=kind),
    }, status=400 if error else 200)

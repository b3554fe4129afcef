"""Access review page (access.review: the owner or the security officer): the open
review, one row per staff account with its role, last activity and reveals in the
period; confirm or disable each, or change its role (that, and disabling an owner, also
need staff.manage)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from strongroom.protection.access.errors import AccessError
from strongroom.protection.access.roles import Perm, Role
from strongroom.protection.access.selectors import has_perm
from strongroom.protection.people import selectors as people
from strongroom.protection.people import services as people_services
from strongroom.protection.people.errors import PeopleError

from ..permissions import perm_required


@perm_required(Perm.ACCESS_REVIEW)
@require_GET
def review_page(request: HttpRequest) -> HttpResponse:
    review = people.access_review_open()
    items = people.access_review_items(review=review) if review else []
    return render(request, "console/reviews/page.html", {
        "section": "access_review", "review": review, "items": items,
        "roles": list(Role), "past": people.access_reviews_completed(),
        "can_change_role": has_perm(request.user, Perm.STAFF_MANAGE)})


@perm_required(Perm.ACCESS_REVIEW)
@require_POST
def review_start(request: HttpRequest) -> HttpResponse:
    try:
        people_services.access_review_start(by=request.user)
    except PeopleError as exc:
        messages.error(request, exc.message)
    return redirect("console:access_review")


@perm_required(Perm.ACCESS_REVIEW)
@require_POST
def review_decide(request: HttpRequest, item_id: int) -> HttpResponse:
    item = people.access_review_item_get(item_id=item_id)
    if item is None:
        raise Http404("No such review item.")
    decision = request.POST.get("decision", "")
    if not has_perm(request.user, Perm.STAFF_MANAGE) and (
            decision == "changed" or (decision == "disabled" and item.role == Role.OWNER)):
        # A reviewer who does not manage staff (the security officer) removes access but
        # never grants it, and cannot take the store from its owners.
        raise PermissionDenied("Changing a role or disabling an owner needs staff.manage.")
    raw_role = request.POST.get("role", "")
    role = Role(raw_role) if raw_role in {r.value for r in Role} else None
    try:
        people_services.access_review_decide(item=item, decision=decision, role=role,
                                             by=request.user)
    except (PeopleError, AccessError) as exc:
        messages.error(request, exc.message)
        return redirect("console:access_review")
    messages.success(request, "Recorded.")
    return redirect("console:access_review")

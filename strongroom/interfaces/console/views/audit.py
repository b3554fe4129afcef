"""Audit log search (roles with audit.view: owner, security officer, auditor). The
search is itself audited (AUDIT_LOG_SEARCHED, naming the filters used and, when one
customer was searched for, that customer's subject)."""

from __future__ import annotations

import uuid

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from strongroom.commerce.customers import selectors as customer_selectors
from strongroom.protection.access import selectors as access
from strongroom.protection.access.history import history_rows
from strongroom.protection.access.roles import Perm
from strongroom.protection.audit.events import AuditEvent
from strongroom.protection.audit.selectors import audit_search
from strongroom.protection.audit.services import audit_record

from ..access_forms import AuditSearchForm
from ..permissions import perm_required
from ..seek import BadCursor, seek_page
from .common import preload_keys

PAGE_SIZE = 50
NOBODY = uuid.UUID(int=0)


def _staff_choices(request: HttpRequest) -> list[tuple[str, str]]:
    staff = list(access.staff_list())
    preload_keys(request, staff)
    return [(str(u.pk), f"{u.full_name or 'Staff member'}") for u in staff]


def _customer_subject(text: str) -> uuid.UUID | None:
    """An exact email (blind index) or a subject id as shown in results; NOBODY if no
    customer matches (so the search finds nothing rather than everything)."""
    try:
        return uuid.UUID(text)
    except ValueError:
        pass
    customer = customer_selectors.customer_list(query=text).first() if "@" in text else None
    return customer.subject_id if customer is not None else NOBODY


@perm_required(Perm.AUDIT_VIEW)
@never_cache
@require_GET
def audit_search_view(request: HttpRequest) -> HttpResponse:
    form = AuditSearchForm(request.GET or None, staff=_staff_choices(request))
    if form.is_bound and not form.is_valid():
        return render(request, "console/audit/search.html", {"form": form, "page": None},
                      status=400)
    data = form.cleaned_data if form.is_bound else {}
    subject = _customer_subject(data["customer"].strip()) if data.get("customer") else None
    event = AuditEvent(int(data["event"])) if data.get("event") else None
    used = [name for name in ("actor", "customer", "event", "since", "until") if data.get(name)]
    with transaction.atomic():
        audit_record(event=AuditEvent.AUDIT_LOG_SEARCHED, actor=request.user,
                     subject_id=subject if subject not in (None, NOBODY) else None,
                     fields=used, request=request)
    entries = audit_search(actor_id=data.get("actor") or None, subject_id=subject,
                           events=event, since=data.get("since"), until=data.get("until"))
    try:
        page = seek_page(entries, keys=("at_us", "id"), cursor=request.GET.get("cursor"),
                         size=PAGE_SIZE)
    except BadCursor:
        return render(request, "console/audit/search.html", {"form": form, "page": None,
                      "bad_cursor": True}, status=400)
    rows = history_rows(page.object_list, names=True)
    return render(request, "console/audit/search.html", {
        "form": form, "page": page, "rows": rows, "no_customer": subject == NOBODY})

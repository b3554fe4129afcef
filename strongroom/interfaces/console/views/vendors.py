"""The vendor register pages (owner: staff.manage): list with flags, add, edit, assess."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from strongroom.protection.access.roles import Perm
from strongroom.protection.people import selectors as people
from strongroom.protection.people import services as people_services
from strongroom.protection.people.errors import PeopleError, VendorNotFound

from ..permissions import perm_required
from ..vendor_forms import AssessmentForm, VendorForm, vendor_initial


def _vendor(key: str):
    try:
        return people.vendor_get(key=key)
    except VendorNotFound:
        raise Http404("No such vendor.") from None


@perm_required(Perm.STAFF_MANAGE)
@require_http_methods(["GET"])
def vendor_list(request: HttpRequest) -> HttpResponse:
    rows = [(v, people.vendor_flags(vendor=v)) for v in people.vendors_list()]
    return render(request, "console/vendors/list.html", {
        "section": "vendors", "rows": rows, "unregistered": people.integrations_unregistered()})


@perm_required(Perm.STAFF_MANAGE)
@require_http_methods(["GET", "POST"])
def vendor_create(request: HttpRequest) -> HttpResponse:
    form = VendorForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                vendor = people_services.vendor_create(key=data.pop("key"), by=request.user,
                                                       **data)
            except PeopleError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, f"{vendor.name} added to the register.")
                return redirect("console:vendor_edit", key=vendor.key)
        return render(request, "console/vendors/edit.html",
                      {"section": "vendors", "form": form, "vendor": None}, status=400)
    return render(request, "console/vendors/edit.html",
                  {"section": "vendors", "form": form, "vendor": None})


@perm_required(Perm.STAFF_MANAGE)
@require_http_methods(["GET", "POST"])
def vendor_edit(request: HttpRequest, key: str) -> HttpResponse:
    vendor = _vendor(key)
    if request.method == "POST":
        form = VendorForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            data.pop("key")  # the key integrations use does not change
            people_services.vendor_update(vendor=vendor, by=request.user, **data)
            messages.success(request, "Saved.")
            return redirect("console:vendor_edit", key=vendor.key)
        status = 400
    else:
        form, status = VendorForm(initial=vendor_initial(vendor)), 200
    return render(request, "console/vendors/edit.html", {
        "section": "vendors", "form": form, "vendor": vendor,
        "flags": people.vendor_flags(vendor=vendor),
        "assessment": AssessmentForm(initial=vendor.assessment)}, status=status)


@perm_required(Perm.STAFF_MANAGE)
@require_POST
def vendor_assess(request: HttpRequest, key: str) -> HttpResponse:
    vendor = _vendor(key)
    form = AssessmentForm(request.POST)
    form.is_valid()  # booleans: every answer is valid (unchecked = no)
    score = people_services.vendor_assess(vendor=vendor, answers=form.cleaned_data,
                                          by=request.user)
    messages.success(request, f"Assessment recorded: {score}%.")
    return redirect("console:vendor_edit", key=vendor.key)

"""Training pages: my modules, read a module and take its quiz, the owner's compliance
table. Open to every console user (an untrained one must be able to get trained); the
compliance table needs staff.manage."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from strongroom.protection.access.roles import Perm
from strongroom.protection.access.selectors import has_perm
from strongroom.protection.people import selectors as people
from strongroom.protection.people import services as people_services
from strongroom.protection.people.errors import AttemptInvalid, ModuleNotFound, QuizPaused

from ..permissions import perm_required, staff_required


@staff_required
@require_GET
def training_home(request: HttpRequest) -> HttpResponse:
    return render(request, "console/training/home.html", {
        "section": "training", "rows": people.training_rows(user=request.user),
        "can_manage": has_perm(request.user, Perm.STAFF_MANAGE)})


@perm_required(Perm.STAFF_MANAGE)
@require_GET
def training_compliance(request: HttpRequest) -> HttpResponse:
    return render(request, "console/training/compliance.html", {
        "section": "training", "rows": people.training_status()})


@staff_required
@never_cache
@require_http_methods(["GET", "POST"])
def training_module(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        page = people.module_page(slug=slug)
    except ModuleNotFound:
        raise Http404("No such module.") from None
    if request.method == "POST":
        try:
            result = people_services.quiz_submit(
                user=request.user, slug=slug, attempt_id=request.POST.get("attempt", ""),
                answers={k: v for k, v in request.POST.items() if k.startswith("q")},
                request=request)
        except (AttemptInvalid, QuizPaused) as exc:
            messages.error(request, exc.message)
            return redirect("console:training_module", slug=slug)
        if result.passed:
            messages.success(request, f"Passed with {result.score}% — “{page.module.title}” "
                                      "is done for 12 months.")
            return redirect("console:training")
        messages.error(request, f"{result.score}%: the pass mark is {result.pass_mark}%. "
                                "Read the module again and retake the quiz.")
        return redirect("console:training_module", slug=slug)
    try:
        attempt, questions = people_services.quiz_start(user=request.user, slug=slug)
    except QuizPaused as exc:  # the module can still be read
        attempt, questions, paused = None, [], exc.message
    else:
        paused = ""
    return render(request, "console/training/module.html", {
        "section": "training", "module": page.module, "body": page.body,
        "attempt": attempt, "questions": questions, "paused": paused})

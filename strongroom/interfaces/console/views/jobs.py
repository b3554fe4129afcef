"""The Jobs page: each scheduled job, its last run and next run, failures; "Run now"."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from strongroom.jobs.errors import UnknownJob
from strongroom.jobs.selectors import (
    job_runs_recent,
    jobs_overview,
    worker_last_beat,
    worker_silent,
)
from strongroom.jobs.services import job_run_request
from strongroom.protection.access.roles import Perm
from strongroom.protection.alerts.selectors import alerts_open
from strongroom.protection.mailer.selectors import mail_counts

from ..permissions import can, perm_required


@perm_required(Perm.JOBS_VIEW)
@require_GET
def job_list(request: HttpRequest) -> HttpResponse:
    return render(request, "console/jobs/list.html", {
        "jobs": jobs_overview(),
        "runs": job_runs_recent(limit=30),
        "alerts": alerts_open(kind_prefix="jobs."),
        "worker_beat": worker_last_beat(),
        "worker_silent": worker_silent(),
        "mail": mail_counts(),
        "can_run": can(request.user, Perm.JOBS_RUN),
    })


@perm_required(Perm.JOBS_RUN)
@require_POST
def job_run(request: HttpRequest, name: str) -> HttpResponse:
    try:
        job_run_request(name=name, by=request.user, request=request)
    except UnknownJob:
        raise Http404("No job by that name.") from None
    messages.success(request, f"{name} is queued: a worker runs it shortly.")
    return redirect("console:job_list")

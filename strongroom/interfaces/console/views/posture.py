"""Security posture in the console: patch status, self-audit reports and their trend,
the risk register. Reading needs ``posture.view``; changing risks ``posture.manage``
(each change audited by the posture services)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from strongroom.protection.access.roles import Perm
from strongroom.protection.posture import selectors, services
from strongroom.protection.posture.errors import PostureError
from strongroom.protection.posture.reports import (
    PRACTICES,
    report_html,
    svg_practice_chart,
    svg_trend_chart,
)

from ..permissions import can, perm_required
from ..posture_forms import RiskForm, RiskReviewForm

RISK_VALUES = ("title", "threat", "asset", "likelihood", "impact", "owner", "treatment",
               "review_due", "checks")


@perm_required(Perm.POSTURE_VIEW)
@require_GET
def patches(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    findings = [(f, (now - f.first_seen).days) for f in selectors.findings_open()]
    latest_ok = selectors.scan_latest_ok()
    return render(request, "console/posture/patches.html", {
        "findings": findings, "latest": selectors.scan_latest(), "latest_ok": latest_ok,
        "resolved": selectors.findings_resolved(limit=20),
        "support": latest_ok.support if latest_ok else [],
    })


@perm_required(Perm.POSTURE_VIEW)
@require_GET
def audit(request: HttpRequest) -> HttpResponse:
    latest = selectors.audit_latest()
    context = {"latest": latest, "runs": selectors.audit_runs(limit=20),
               "trend_svg": mark_safe(svg_trend_chart(selectors.audit_trend())),  # noqa: S308 - built from escaped values
               }
    if latest is not None:
        report = latest.report
        context.update({
            "practice_svg": mark_safe(svg_practice_chart(report.get("by_practice", {}))),  # noqa: S308
            "checks": report.get("checks", []), "practices": PRACTICES,
            "critical_failed": report.get("critical_failed", []),
            "na_count": latest.counts.get("n/a", 0),
        })
    return render(request, "console/posture/audit.html", context)


@perm_required(Perm.POSTURE_VIEW)
@require_GET
def audit_report(request: HttpRequest, run_id: int) -> HttpResponse:
    """The kept run as the standalone HTML report. Its own policy: no script at all,
    only the report's one stylesheet (by hash), nothing loaded from anywhere."""
    run = selectors.audit_run_get(run_id=run_id)
    if run is None:
        raise Http404("No self-audit run with that number.")
    response = HttpResponse(report_html(run.report, store=settings.STRONGROOM_STORE_NAME))
    response.headers["Content-Security-Policy"] = (
        f"default-src 'none'; style-src {selectors.report_csp_style_hash()}; "
        "img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
    return response


@perm_required(Perm.POSTURE_VIEW)
@require_GET
def risks(request: HttpRequest) -> HttpResponse:
    return render(request, "console/posture/risks.html", {
        "risks": selectors.risks_list(), "can_manage": can(request.user, Perm.POSTURE_MANAGE),
        "audited": selectors.audit_latest() is not None,
    })


@perm_required(Perm.POSTURE_MANAGE)
@require_http_methods(["GET", "POST"])
def risk_create(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        form = RiskForm(initial={"review_due": timezone.now().date() + dt.timedelta(days=90),
                                 "likelihood": 3, "impact": 3})
        return render(request, "console/posture/risk_form.html", {"form": form})
    form = RiskForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            risk = services.risk_create(code=data["code"], actor=request.user,
                                        **{k: data[k] for k in RISK_VALUES})
        except PostureError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"Risk {risk.code} added.")
            return redirect("console:posture_risks")
    return render(request, "console/posture/risk_form.html", {"form": form}, status=400)


@perm_required(Perm.POSTURE_MANAGE)
@require_http_methods(["GET", "POST"])
def risk_edit(request: HttpRequest, risk_id: int) -> HttpResponse:
    risk = selectors.risk_get(risk_id=risk_id)
    if risk is None:
        raise Http404("No risk with that number.")
    if request.method == "GET":
        form = RiskForm(editing=True, initial={k: getattr(risk, k) for k in RISK_VALUES})
        return render(request, "console/posture/risk_form.html", {"form": form, "risk": risk,
                                                                  "review": RiskReviewForm()})
    form = RiskForm(request.POST, editing=True)
    if form.is_valid():
        try:
            services.risk_update(risk_id=risk.pk, actor=request.user,
                                 **{k: form.cleaned_data[k] for k in RISK_VALUES})
        except PostureError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"Risk {risk.code} saved.")
            return redirect("console:posture_risks")
    return render(request, "console/posture/risk_form.html",
                  {"form": form, "risk": risk, "review": RiskReviewForm()}, status=400)


@perm_required(Perm.POSTURE_MANAGE)
@require_POST
def risk_review(request: HttpRequest, risk_id: int) -> HttpResponse:
    risk = selectors.risk_get(risk_id=risk_id)
    if risk is None:
        raise Http404("No risk with that number.")
    form = RiskReviewForm(request.POST)
    if not form.is_valid() or form.cleaned_data["next_review"] <= timezone.now().date():
        messages.error(request, "Choose the date of the next review, after today.")
        return redirect("console:posture_risk_edit", risk_id=risk.pk)
    services.risk_review(risk_id=risk.pk, actor=request.user,
                         next_review=form.cleaned_data["next_review"])
    messages.success(request, f"Risk {risk.code} reviewed.")
    return redirect("console:posture_risks")

"""``/payments/csp-report/``: browsers post Content-Security-Policy violations here
(``report-uri`` and the Reporting API's ``report-to``). Anyone can post, so the input is
bounded (size, rows), folded into counts, and stripped to what helps: the page path and
the blocked origin — no query strings (tokens), no code samples."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from ..models import CspReport

MAX_BODY = 16 * 1024
MAX_ROWS = 2000


def _where(url: str) -> str:
    parts = urlsplit(url or "")
    return (parts.path or "/")[:300] if parts.scheme in ("http", "https") else "?"


def _blocked(value: str) -> str:
    parts = urlsplit(value or "")
    if parts.scheme in ("http", "https", "wss", "ws") and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"[:300]
    return (value or "unknown").split(":")[0][:40]  # inline, eval, data, blob ...


def _reports(body: bytes) -> list[dict]:
    data = json.loads(body)
    if isinstance(data, dict) and isinstance(data.get("csp-report"), dict):
        report = data["csp-report"]
        return [{"document": report.get("document-uri", ""),
                 "directive": report.get("effective-directive")
                 or report.get("violated-directive", ""),
                 "blocked": report.get("blocked-uri", "")}]
    if isinstance(data, list):  # application/reports+json
        out = []
        for item in data[:20]:
            body_ = item.get("body") if isinstance(item, dict) else None
            if isinstance(body_, dict) and item.get("type") == "csp-violation":
                out.append({"document": body_.get("documentURL", ""),
                            "directive": body_.get("effectiveDirective", ""),
                            "blocked": body_.get("blockedURL", "")})
        return out
    return []


@csrf_exempt
@require_POST
def csp_report(request: HttpRequest) -> HttpResponse:
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY:
        return HttpResponse(status=413)
    try:
        reports = _reports(request.body)
    except (ValueError, AttributeError, TypeError):
        return HttpResponse(status=400)
    for report in reports:
        key = {"document": _where(str(report["document"])),
               "directive": str(report["directive"])[:100] or "unknown",
               "blocked": _blocked(str(report["blocked"]))}
        if CspReport.objects.filter(**key).update(count=F("count") + 1):
            continue
        if CspReport.objects.count() >= MAX_ROWS:
            break
        try:
            with transaction.atomic():
                CspReport.objects.create(**key)
        except IntegrityError:  # a parallel report created it
            CspReport.objects.filter(**key).update(count=F("count") + 1)
    return HttpResponse(status=204)

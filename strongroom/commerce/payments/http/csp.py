"""``/payments/csp-report/``: browsers post Content-Security-Policy violations here
(``report-uri`` and the Reporting API's ``report-to``). Anyone can post, so the input is
bounded (size, reports per request) and stripped to what helps: the page path and the
blocked origin — no query strings (tokens), no code samples. Storing, the limit per
client, the room kept for payment pages and the alerts are in ``cspreports``."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from ..cspreports import Report, csp_reports_record

MAX_BODY = 16 * 1024


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
    cleaned = [Report(document=_where(str(r["document"])),
                      directive=str(r["directive"])[:100] or "unknown",
                      blocked=_blocked(str(r["blocked"]))) for r in reports]
    outcome = csp_reports_record(reports=cleaned, address=request.META.get("REMOTE_ADDR", ""))
    return HttpResponse(status=429 if outcome == "limited" else 204)

"""Watches payment pages as they are served and raises an alert when their scripts or
security headers change (see ``integrity``). Never breaks a response: a monitoring
failure is logged and the page goes out as it is."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .alerting import payment_alert_open
from .integrity import PAYMENT_PAGES, fingerprint, page_details, script_problems
from .models import PageBaseline, PaymentAlert

log = logging.getLogger("strongroom.payments.integrity")
_seen: dict[str, str] = {}  # page -> last fingerprint handled by this process


def monitor_reset() -> None:
    _seen.clear()


def page_observe(*, page: str, html: bytes, headers) -> str:
    """Compare one served page with its baseline; returns "ok", "baseline" or "alert"."""
    details = page_details(html=html, headers=headers)
    fp = fingerprint(details)
    if _seen.get(page) == fp:
        return "ok"
    problems = script_problems(details)
    baseline = PageBaseline.objects.filter(page=page).first()
    if baseline is None and not problems:
        PageBaseline.objects.get_or_create(page=page, defaults={"fingerprint": fp,
                                                                "details": details})
        _seen[page] = fp
        return "baseline"
    if baseline is not None and baseline.fingerprint == fp and not problems:
        _seen[page] = fp
        return "ok"
    kind = PaymentAlert.Kind.UNLISTED_SCRIPT if problems else PaymentAlert.Kind.PAGE_CHANGED
    message = ("; ".join(problems) if problems
               else "the scripts or security headers differ from the accepted baseline")
    payment_alert_open(kind=kind, subject=page, fingerprint=fp, message=message,
                       details=details)
    _seen[page] = fp
    return "alert"


class PaymentPageMonitor:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if (match is not None and match.view_name in PAYMENT_PAGES
                and not response.streaming and not 300 <= response.status_code < 400
                and response.get("Content-Type", "").startswith("text/html")
                and response.content):
            try:
                page_observe(page=match.view_name, html=response.content,
                             headers=response.headers)
            except Exception:
                log.exception("payment page monitor failed for %s", match.view_name)
        return response

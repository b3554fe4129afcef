"""Response headers Django's SecurityMiddleware does not set: a strict, nonce-based
Content-Security-Policy and a Permissions-Policy.

Hand-written because Django 5.2 has no CSP support (it arrives in 6.0) and the policy is
one fixed string: every page's scripts are our own vendored files carrying the
per-request nonce, so an injected <script> without it never runs (XSS, card skimmers).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

CSP_DIRECTIVES = (
    "default-src 'self'",
    "script-src 'nonce-{nonce}' 'strict-dynamic'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'{form_targets}",
    "frame-ancestors 'none'",
    "upgrade-insecure-requests",
    # Violations are reported to the store (shown in the console: Payments security).
    "report-uri /payments/csp-report/",
    "report-to csp",
)
REPORTING_ENDPOINTS = 'csp="/payments/csp-report/"'


def allow_form_action(response: HttpResponse, *origins: str) -> HttpResponse:
    """Let this page's forms lead to ``origins`` too. Chrome applies form-action to every
    redirect after a form POST, so the checkout page must allow the payment gateway's
    origin that the order's redirect ends on. Only origins (scheme://host[:port])."""
    response.csp_form_action = tuple(o for o in origins if o)  # type: ignore[attr-defined]
    return response
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=()"
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.csp_nonce = secrets.token_urlsafe(18)
        response = self.get_response(request)
        targets = "".join(f" {o}" for o in getattr(response, "csp_form_action", ()))
        policy = ("; ".join(CSP_DIRECTIVES).replace("{nonce}", request.csp_nonce)
                  .replace("{form_targets}", targets))
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("Reporting-Endpoints", REPORTING_ENDPOINTS)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        if not getattr(response, "xframe_options_exempt", False):
            # Django's XFrameOptionsMiddleware sits inside WhiteNoise, so static files
            # would go without; older browsers ignore CSP frame-ancestors.
            response.headers.setdefault("X-Frame-Options", "DENY")
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            # Personal pages must not linger in shared or browser caches.
            response.headers.setdefault("Cache-Control", "no-store")
        return response

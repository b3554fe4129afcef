"""Maintenance mode as shoppers and API clients see it.

While it is on: storefront pages answer 503 with the owner's message and
``Retry-After``; the API answers 503 in its one error shape. Exempt, so nothing is lost
and the owner can end it: the staff console (``/console/``: its own sign-in and
permission checks apply), payment webhooks (a paid order must be recorded even while
the shop is closed; the gateway would otherwise retry, but a long pause could outlast
its retries), static files and public product images (``/media/``).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

from strongroom.protection.backups.selectors import maintenance_state

EXEMPT = ("/console/", "/payments/webhooks/", "/static/", "/media/", "/payments/csp-report/")


class MaintenanceMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(EXEMPT):
            return self.get_response(request)
        state = maintenance_state()
        if not state.enabled:
            return self.get_response(request)
        if request.path.startswith("/api/"):
            response: HttpResponse = JsonResponse(
                {"error": {"code": "maintenance", "message": state.message
                           or "The store is closed for maintenance.", "field": None,
                           "details": []}}, status=503)
        else:
            response = HttpResponse(render_to_string("backups/maintenance.html",
                                                     {"message": state.message}, request),
                                    status=503)
        response["Retry-After"] = str(state.retry_after)
        response["Cache-Control"] = "no-store"
        return response

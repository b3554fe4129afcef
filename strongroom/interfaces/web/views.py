"""Error pages: the same friendly page for every failure, never a stack trace."""

from __future__ import annotations

import logging
import sys
import time

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.db.utils import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string

from strongroom.interfaces.web.jsonerrors import error_response

logger = logging.getLogger("strongroom.database")
RETRY_AFTER_SECONDS = 30
_last_logged = 0.0

# Machine endpoints outside /api/ (the gateways' webhooks) answer in the API's JSON shape.
JSON_PREFIXES = ("/api/", "/payments/webhooks/")


def _error(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    if request.path.startswith(JSON_PREFIXES):
        return error_response(status=status, code=title.lower().replace(" ", "_"),
                              message=message)
    return render(request, "web/error.html", {"title": title, "message": message},
                  status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # Django turns these into a 400; the status that says what happened is 413.
    if isinstance(exception, RequestDataTooBig | TooManyFieldsSent | TooManyFilesSent):
        return _error(request, 413, "Payload too large",
                      "The request is too large: at most 1 MB and 200 form fields.")
    return _error(request, 400, "Bad request", "The request could not be understood.")


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 403, "Forbidden", "You do not have access to this page.")


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 404, "Not found", "We could not find that page.")


def server_error(request: HttpRequest) -> HttpResponse:
    # Django calls the handler inside its ``except`` block, so the cause is at hand.
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        return database_unavailable(request)
    return _error(request, 500, "Server error",
                  "Something went wrong on our side. Please try again in a moment.")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _error(request, 403, "Forbidden",
                  "Your session expired or the form was sent from another site. "
                  "Go back, reload the page and try again.")


def database_unavailable(request: HttpRequest) -> HttpResponse:
    """The database is down or unreachable: a 503 that tells clients when to come back,
    not a 500. Rendered without the request's context processors, which would read the
    session (and so the database) again. One warning line per minute, no traceback: an
    outage must not bury the log under a traceback per request."""
    global _last_logged
    now = time.monotonic()
    if now - _last_logged > 60:
        _last_logged = now
        logger.warning("database unavailable: answering 503 (%s)",
                       str(sys.exc_info()[1]).strip().splitlines()[0][:200]
                       if sys.exc_info()[1] else "unknown")
    message = "The shop is briefly unavailable. Please try again in a minute."
    if request.path.startswith(JSON_PREFIXES):
        response = error_response(status=503, code="service_unavailable", message=message)
    else:
        response = HttpResponse(render_to_string("web/error.html", {
            "title": "Back in a moment", "message": message,
            "store_name": settings.STRONGROOM_STORE_NAME}), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response._has_been_logged = True  # Django would log it again as ERROR with a traceback
    return response

"""Error pages: the same friendly page for every failure, never a stack trace."""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

# Machine endpoints outside /api/ (the gateways' webhooks) answer in the API's JSON shape.
JSON_PREFIXES = ("/api/", "/payments/webhooks/")


def _error(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    if request.path.startswith(JSON_PREFIXES):
        from strongroom.interfaces.api.errors import error_response

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
    return _error(request, 500, "Server error",
                  "Something went wrong on our side. Please try again in a moment.")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _error(request, 403, "Forbidden",
                  "Your session expired or the form was sent from another site. "
                  "Go back, reload the page and try again.")

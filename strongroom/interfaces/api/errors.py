"""One error shape for every API response that is not a success:

    {"error": {"code": "out_of_stock", "message": "…", "field": null, "details": []}}

``errors_install`` maps every exception the API can meet onto it, so a client never sees
ninja's ``{"detail": …}``, an HTML page or a traceback. The shape itself is built in
``interfaces/web/jsonerrors.py`` (the error pages below the API answer JSON paths in it).
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.db import DataError
from django.db.utils import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from strongroom.errors import ApplicationError
from strongroom.interfaces.web.jsonerrors import error_response
from strongroom.interfaces.web.views import database_unavailable

logger = logging.getLogger("strongroom.api")


class UnsupportedMediaType(Exception):
    """The body is not ``application/json``. Refusing other types also closes the
    cross-site form hole: a browser form can send ``text/plain`` but not JSON."""


class ErrorDetail(Schema):
    field: str | None = None
    message: str
    type: str


class ErrorInfo(Schema):
    code: str
    message: str
    field: str | None = None
    details: list[ErrorDetail] = []


class Error(Schema):
    error: ErrorInfo


def _field_of(loc: tuple | list) -> str | None:
    """``("body", "payload", "quantity")`` -> ``"quantity"``; ``("query", "page")`` ->
    ``"page"``; the whole body (``("body", "payload")``) -> None."""
    parts = [str(p) for p in loc]
    if parts and parts[0] == "body":
        parts = parts[2:]
    elif parts:
        parts = parts[1:]
    return ".".join(parts) or None


def _validation_details(errors: list[dict[str, Any]]) -> list[dict]:
    details = []
    for err in errors:
        field = _field_of(err.get("loc", ()))
        message = str(err.get("msg", "Invalid value."))
        if field is None and err.get("type") == "missing":
            message = "A JSON request body is required."
        details.append({"field": field, "message": message, "type": str(err.get("type", ""))})
    return details


def _on_validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    details = _validation_details(exc.errors)
    first = details[0] if details else {"field": None, "message": "Invalid request."}
    return error_response(status=422, code="validation_error",
                          message=f"{first['field'] or 'request'}: {first['message']}",
                          field=first["field"], details=details)


def _on_application(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    response = error_response(status=exc.status, code=exc.code, message=exc.message,
                              field=exc.field)
    if exc.status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def _on_authentication(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = error_response(status=401, code="unauthorized",
                              message="A valid bearer token is required.")
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def _on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc.__cause__, UnsupportedMediaType):
        return error_response(status=415, code="unsupported_media_type",
                              message="Send the request body as application/json.")
    if isinstance(exc, Throttled):
        response = error_response(status=429, code="throttled", message=exc.message)
        if exc.wait:
            response["Retry-After"] = str(int(exc.wait) + 1)
        return response
    if exc.status_code == 400 and exc.__cause__ is not None:  # ninja's body parser
        return error_response(status=400, code="invalid_json",
                              message="The request body is not valid JSON.")
    code = {403: "forbidden", 404: "not_found"}.get(exc.status_code, "http_error")
    return error_response(status=exc.status_code, code=code, message=exc.message)


def _on_404(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(status=404, code="not_found", message="Not found.")


def _on_too_big(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(status=413, code="payload_too_large",
                          message="The request body is too large.")


def _on_data_error(request: HttpRequest, exc: DataError) -> HttpResponse:
    # Defence in depth: input the database cannot store (a value out of range, a NUL
    # byte) should have been refused by a schema; say so rather than answer 500.
    logger.warning("API input refused by the database on %s %s: %s", request.method,
                   request.path, type(exc).__name__)
    return error_response(status=400, code="invalid_value",
                          message="A value in the request cannot be accepted.")


def _on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("API error on %s %s", request.method, request.path)
    return error_response(status=500, code="server_error",
                          message="Something went wrong on our side. Please try again.")


def _on_database_down(request: HttpRequest, exc: Exception) -> HttpResponse:
    # The same 503 + Retry-After the pages give (one warning a minute, no traceback).
    return database_unavailable(request)


def errors_install(api: NinjaAPI) -> None:
    """Register the handlers; ninja picks the most specific class for an exception."""
    api.add_exception_handler(Exception, _on_unexpected)
    api.add_exception_handler(ApplicationError, _on_application)
    api.add_exception_handler(ValidationError, _on_validation)
    api.add_exception_handler(HttpError, _on_http_error)
    api.add_exception_handler(AuthenticationError, _on_authentication)
    api.add_exception_handler(Http404, _on_404)
    api.add_exception_handler(DataError, _on_data_error)
    api.add_exception_handler(RequestDataTooBig, _on_too_big)
    api.add_exception_handler(TooManyFieldsSent, _on_too_big)
    api.add_exception_handler(OperationalError, _on_database_down)
    api.add_exception_handler(InterfaceError, _on_database_down)

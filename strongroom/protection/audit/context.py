"""The current request's id and client address, for events recorded deep in services.

``AuditContextMiddleware`` sets them for the duration of a request, so a service such
as ``order_place`` records where the order came from without taking a ``request``.
A context variable, not a thread-local: correct under threads and async alike.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


@dataclass(frozen=True, slots=True)
class RequestContext:
    request_id: str = ""
    ip: str = ""


_NONE = RequestContext()
_current: ContextVar[RequestContext | None] = ContextVar("strongroom_audit_request", default=None)


def current() -> RequestContext:
    return _current.get() or _NONE


def of_request(request: HttpRequest) -> RequestContext:
    ctx = getattr(request, "_audit_context", None)
    if ctx is None:
        ip = request.META.get("REMOTE_ADDR", "")
        ctx = RequestContext(request_id=_request_id(request), ip=ip)
        request._audit_context = ctx  # type: ignore[attr-defined]
    return ctx


def _request_id(request: HttpRequest) -> str:
    """A proxy's X-Request-ID if well-formed (lets logs be joined up), else a new one.
    Never trusted for anything but correlation."""
    given = request.META.get("HTTP_X_REQUEST_ID", "")
    return given if _REQUEST_ID.match(given) else uuid.uuid4().hex


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        ctx = of_request(request)
        token = _current.set(ctx)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response.headers.setdefault("X-Request-ID", ctx.request_id)
        return response

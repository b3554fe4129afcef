"""Request and response plumbing shared by every endpoint."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from ninja.parser import Parser

from .errors import UnsupportedMediaType, error_response

JSON_TYPES = {"application/json"}


class JsonOnlyParser(Parser):
    def parse_body(self, request: HttpRequest) -> dict:
        if request.content_type not in JSON_TYPES:
            raise UnsupportedMediaType(request.content_type)
        return json.loads(request.body)


def json_errors(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wrap a ninja URL view: its own 405 (plain text) becomes our error shape, and
    responses that may carry personal data are kept out of caches."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and response.get("Content-Type", "").startswith(
            "text/"
        ):
            allow = response.get("Allow", "")
            response = error_response(status=405, code="method_not_allowed",
                                      message=f"Method {request.method} is not allowed here.")
            response["Allow"] = allow
        if not request.path.startswith("/api/catalog/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    wrapped.csrf_exempt = True  # type: ignore[attr-defined]  # no cookie auth: see security.py
    return wrapped


@csrf_exempt
def not_found(request: HttpRequest, path: str = "") -> HttpResponse:
    return error_response(status=404, code="not_found", message="No such API endpoint.")

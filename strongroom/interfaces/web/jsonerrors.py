"""One error shape for every JSON response that is not a success (the API's, and the
machine endpoints' outside it, such as the gateways' webhooks):

    {"error": {"code": "out_of_stock", "message": "…", "field": null, "details": []}}

Here, below the API, so the error pages (``views.py``) answer JSON paths in the same shape;
the API maps its exceptions onto it in ``interfaces/api/errors.py``.
"""

from __future__ import annotations

from django.http import JsonResponse


def error_body(*, code: str, message: str, field: str | None = None,
               details: list | None = None) -> dict:
    return {"error": {"code": code, "message": message, "field": field,
                      "details": details or []}}


def error_response(*, status: int, code: str, message: str, field: str | None = None,
                   details: list | None = None) -> JsonResponse:
    return JsonResponse(error_body(code=code, message=message, field=field, details=details),
                        status=status)

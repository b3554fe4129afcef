"""One error shape for every API response that is not a success:

    {"error": {"code": "out_of_stock", "message": "…", "field": null, "details": []}}
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

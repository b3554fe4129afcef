"""Requests from a blocked address range get 403 before anything else reads them (an
incident's containment, ``blocking.range_block``). The client address is the one
``ClientAddressMiddleware`` resolved (behind a trusted proxy, from X-Forwarded-For)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .blocking import address_blocked


class BlockedRangeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if address_blocked(request.META.get("REMOTE_ADDR", "")):
            return HttpResponse("Requests from your network are blocked.\n", status=403,
                                content_type="text/plain; charset=utf-8")
        return self.get_response(request)

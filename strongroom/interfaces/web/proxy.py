"""The client's address behind a reverse proxy (``STRONGROOM_BEHIND_PROXY``).

Behind Caddy or nginx every request arrives from the proxy, so ``REMOTE_ADDR`` is the
proxy's address: every customer would share one per-address sign-in throttle (30 failed
sign-ins anywhere would slow everyone's), and the audit log would name the proxy as the
origin of every staff read. Each trusted proxy appends the address it received the request
from to ``X-Forwarded-For``, so the client is the entry ``STRONGROOM_PROXY_HOPS`` places
from the right. Entries further left were written by the client itself and are never
trusted (anyone can send ``X-Forwarded-For: 127.0.0.1``); a header too short or not an IP
address leaves ``REMOTE_ADDR`` as it is. Without a proxy configured the header is ignored.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


def forwarded_client(header: str, hops: int) -> str | None:
    """The address ``hops`` entries from the right of an X-Forwarded-For value, or None."""
    entries = [entry.strip() for entry in header.split(",")]
    if hops < 1 or len(entries) < hops:
        return None
    try:
        return str(ipaddress.ip_address(entries[-hops]))
    except ValueError:
        return None


class ClientAddressMiddleware:
    """Outermost: everything below (audit context, throttling) sees the client's address."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        hops = getattr(settings, "STRONGROOM_PROXY_HOPS", 0)
        if hops:
            client = forwarded_client(request.META.get("HTTP_X_FORWARDED_FOR", ""), hops)
            if client is not None:
                request.META["REMOTE_ADDR"] = client
        return self.get_response(request)

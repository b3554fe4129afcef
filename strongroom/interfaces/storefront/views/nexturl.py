from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, default: str) -> str:
    """A local path on this host from ``next``, or ``default`` (no open redirect)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    return safe_path(request, target, default)


def safe_path(request: HttpRequest, target: str, default: str) -> str:
    """``target`` if it is a local path on this host, else ``default``."""
    if (target.startswith("/") and not target.startswith(("//", "/\\"))
            and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                require_https=True)):
        return target
    return default

"""Absolute links for emails and other places outside the store (a payment gateway's
return address, an invitation), built from one configured origin.

Threat: ``request.build_absolute_uri()`` takes the origin from the request's Host header.
ALLOWED_HOSTS checks the host name but not the port, and a store answering several names
would mail whichever the requester chose: a password-reset link for a victim could point
to ``https://shop.example.com:31337/…`` (an attacker's listener on that host) or to
another allowed name, and hand over the single-use token. Links are therefore built from
``STRONGROOM_PUBLIC_URL`` (see ``strongroom.config``), never from the request.
"""

from __future__ import annotations

from django.conf import settings


def public_url(path: str = "/") -> str:
    """``https://<public origin><path>`` for a path on this store (from ``reverse``)."""
    if not path.startswith("/") or path.startswith("//"):
        raise ValueError("public_url() takes a path on this store, starting with one '/'")
    return f"{str(settings.STRONGROOM_PUBLIC_URL).rstrip('/')}{path}"

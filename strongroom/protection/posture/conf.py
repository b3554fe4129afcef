"""Posture settings, read from the one configuration (``settings.CONFIG.extra``):

``STRONGROOM_OSV``        where advisories come from: an ``https://`` OSV API (default
                          ``https://api.osv.dev``) or a local OSV export (folder or zip)
``STRONGROOM_AUDIT_URL``  the store's public ``https://`` address for the self-audit to
                          request its own pages over TLS (unset: pages are requested
                          in-process through the full middleware stack, TLS not tested)
"""

from __future__ import annotations

from django.conf import settings

from strongroom.config import ConfigError

DEFAULT_OSV = "https://api.osv.dev"


def _extra(name: str) -> str:
    return str(getattr(settings, "CONFIG", None) and settings.CONFIG.extra.get(name) or "")


def osv_source() -> str:
    return _extra("STRONGROOM_OSV").strip() or DEFAULT_OSV


def is_url(source: str) -> bool:
    return source.startswith(("https://", "http://"))


def audit_url() -> str:
    url = _extra("STRONGROOM_AUDIT_URL").strip().rstrip("/")
    if url and not url.startswith("https://"):
        raise ConfigError("STRONGROOM_AUDIT_URL must be the store's https:// address")
    return url

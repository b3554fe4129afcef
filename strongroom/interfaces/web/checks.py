"""Deploy checks of the web layer (``strongroom check --deploy``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def public_url_configured(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Emailed links (password reset, invitations, payment returns) are built from
    STRONGROOM_PUBLIC_URL. Unset, it is guessed from the first allowed host, on port 443:
    right only if that is how customers reach the store."""
    if getattr(settings, "STRONGROOM_PUBLIC_URL_CONFIGURED", False):
        return []
    return [checks.Warning(
        f"STRONGROOM_PUBLIC_URL is not set: emailed links use {settings.STRONGROOM_PUBLIC_URL}, "
        "guessed from the first of STRONGROOM_ALLOWED_HOSTS",
        hint="set STRONGROOM_PUBLIC_URL to the address customers use, e.g. "
             "https://shop.example.com", id="web.W001")]

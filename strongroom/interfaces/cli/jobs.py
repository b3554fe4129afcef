"""Scheduled work of the command-line app (see ``strongroom/jobs/registry.py``)."""

from __future__ import annotations

from django.conf import settings

from strongroom.interfaces.cli.tlsrenew import tls_certificate_renew
from strongroom.jobs.registry import scheduled


@scheduled(
    "tls-renew",
    schedule="17 3 * * *",
    description="Renew the local HTTPS certificate (90 days) 30 days before it expires; "
    "restart `strongroom serve` to use the new one",
)
def tls_renew() -> str:
    return tls_certificate_renew(
        data_dir=settings.STRONGROOM_DATA_DIR, allowed_hosts=list(settings.ALLOWED_HOSTS)
    )

"""Renewing the store's local HTTPS certificate while it runs (the ``tls-renew`` job).

The certificate ``strongroom init`` makes lives 90 days; this renews it 30 days before
it expires, signed by the same local CA (so whoever trusts ``ca.pem`` keeps trusting the
store). A running ``strongroom serve`` loaded its certificate at start and keeps serving
that one: the renewal raises a low alert asking for a restart, which any time in the
remaining 30 days is enough (``serve`` also renews at start). A failed renewal is a high
alert: in at most 30 days browsers would refuse the store.

Only the local CA's certificate is managed here. A certificate given with ``serve
--cert/--key`` (your own PKI, or one an ACME client such as Caddy or certbot keeps
renewed) is the operator's to renew.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.db import transaction

from strongroom.protection.alerts.services import alert_raise
from strongroom.protection.audit.events import Actor, AuditEvent
from strongroom.protection.audit.services import audit_record
from strongroom.protection.vault.tls import (
    TlsError,
    certificate_expiry,
    tls_ensure,
    tls_files,
)


def tls_certificate_renew(
    *, data_dir: Path, allowed_hosts: list[str], now: dt.datetime | None = None
) -> str:
    """Re-issue the local server certificate if due; a one-line summary of what happened.

    Idempotent (nothing due: nothing written). Does nothing without a local CA, i.e. where
    the store serves a certificate of its own PKI and ``init`` was never run.
    """
    files = tls_files(data_dir)
    if not files.ca_cert.exists():
        return "no local CA: nothing to renew (own certificate given to `serve --cert`)"
    try:
        previous = certificate_expiry(files.cert) if files.cert.exists() else None
        report = tls_ensure(data_dir=data_dir, allowed_hosts=allowed_hosts, now=now)
    except TlsError as exc:
        alert_raise(
            kind="vault.tls_renewal_failed", source="tls-renew", severity="high",
            summary="The store's HTTPS certificate could not be renewed: " + str(exc)[:200],
            dedupe_key="vault.tls_renewal_failed",
        )
        raise
    expires = certificate_expiry(files.cert)
    if not report.cert_issued:
        return f"certificate valid until {expires:%Y-%m-%d}: nothing to do"
    summary = f"renewed ({report.reason}); valid until {expires:%Y-%m-%d}"
    with transaction.atomic():
        audit_record(event=AuditEvent.TLS_CERTIFICATE_RENEWED, actor=Actor.system("tls"),
                     reason=summary[:200])
        until = f" (the one it serves stays valid until {previous:%Y-%m-%d})" if previous else ""
        alert_raise(
            kind="vault.tls_certificate_renewed", source="tls-renew", severity="low",
            summary="The HTTPS certificate was renewed: restart `strongroom serve` to use "
            f"it{until}",
            detail={"reason": report.reason, "expires": expires.isoformat()},
            dedupe_key=f"vault.tls_certificate_renewed.{expires:%Y%m%d}",
        )
    return summary

"""Payment alerts, kept in two places on purpose: ``PaymentAlert`` holds what the payments
security page needs to act (the page's fingerprint and details, to accept a new baseline),
and every one is also raised in the store's one alert list (``protection.alerts``), where
the owner and the security officer see every kind of alert together. Closing it here
(baseline accepted, resolved) acknowledges it there too, in the same transaction."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from strongroom.protection.alerts.models import Severity
from strongroom.protection.alerts.services import alert_acknowledge_key, alert_raise

from .models import PaymentAlert

log = logging.getLogger("strongroom.payments")
SEVERITY = {PaymentAlert.Kind.UNLISTED_SCRIPT: Severity.CRITICAL,
            PaymentAlert.Kind.PAGE_CHANGED: Severity.HIGH,
            PaymentAlert.Kind.RECONCILE: Severity.MEDIUM}


def _key(alert: PaymentAlert) -> str:
    return f"payments.alert:{alert.pk}"


def payment_alert_open(*, kind: str, subject: str, message: str, fingerprint: str = "",
                       details: dict[str, Any] | None = None) -> PaymentAlert | None:
    """Open an alert unless the same one (kind, subject, fingerprint) is open already;
    returns the new alert or None. ``subject`` is a page name or an order reference,
    ``message`` names no person."""
    with transaction.atomic():
        if PaymentAlert.objects.filter(kind=kind, subject=subject, fingerprint=fingerprint,
                                       resolved_at=None).exists():
            return None
        alert = PaymentAlert.objects.create(kind=kind, subject=subject, message=message[:500],
                                            fingerprint=fingerprint, details=details or {})
        alert_raise(kind=f"payments.{kind}", source="payments", severity=SEVERITY[kind],
                    summary=f"{alert.get_kind_display()}: {subject}: {message}",
                    detail={"payment_alert": alert.pk, "subject": subject},
                    dedupe_key=_key(alert))
    log.warning("payments alert %s: %s: %s", kind, subject, message)
    return alert


def payment_problem_flag(*, subject: str, message: str, fingerprint: str = "") -> None:
    """Flag a payment that needs a person (money for a cancelled order, amounts that
    disagree, an order paid that the gateway never charged): a RECONCILE alert about the
    order ``subject``, once per ``fingerprint`` while it is open."""
    log.warning("payments: %s: %s", subject, message)
    payment_alert_open(kind=PaymentAlert.Kind.RECONCILE, subject=subject, message=message,
                       fingerprint=fingerprint)


def payment_alerts_closed(*, alerts: list[PaymentAlert], by: Any) -> None:
    """Acknowledge the list entries of payment alerts just closed (caller's transaction)."""
    for alert in alerts:
        alert_acknowledge_key(dedupe_key=_key(alert), by=by)

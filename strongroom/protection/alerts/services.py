"""Raising and acknowledging alerts. Any app may raise one; acknowledging is audited
(SECURITY_ALERT_ACKNOWLEDGED), so "who decided this was nothing" is on the record."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from strongroom.protection.audit.events import AuditEvent
from strongroom.protection.audit.services import audit_record

from .models import Alert, Severity


def alert_raise(*, kind: str, source: str, severity: Severity | str, summary: str,
                detail: dict[str, Any] | None = None, dedupe_key: str = "") -> Alert:
    """Record an alert (no personal data in ``summary``/``detail``). With a
    ``dedupe_key``, an open alert with the same key is counted again instead."""
    severity = Severity(severity)
    now = timezone.now()
    with transaction.atomic():
        if dedupe_key:
            existing = (Alert.objects.select_for_update()
                        .filter(dedupe_key=dedupe_key, acknowledged_at=None).first())
            if existing is not None:
                Alert.objects.filter(pk=existing.pk).update(count=F("count") + 1,
                                                            last_seen=now)
                existing.refresh_from_db()
                return existing
        return Alert.objects.create(kind=kind, source=source, severity=severity,
                                    summary=summary[:300], detail=detail or {},
                                    dedupe_key=dedupe_key, first_seen=now, last_seen=now)


def alert_acknowledge(*, alert_id: int, by: Any) -> bool:
    """Mark an open alert as looked at; False if there is no open alert with that id.
    The caller checked that ``by`` may manage alerts."""
    with transaction.atomic():
        updated = Alert.objects.filter(pk=alert_id, acknowledged_at=None).update(
            acknowledged_at=timezone.now(), acknowledged_by=by)
        if not updated:
            return False
        alert = Alert.objects.get(pk=alert_id)
        audit_record(event=AuditEvent.SECURITY_ALERT_ACKNOWLEDGED, actor=by,
                     object=("alerts.alert", alert.pk), reason=alert.kind)
    return True


def alert_acknowledge_key(*, dedupe_key: str, by: Any) -> int:
    """Acknowledge the open alert raised with ``dedupe_key`` (an app closed the thing it
    was about, e.g. a payment page's new baseline accepted); each one audited like
    ``alert_acknowledge``. Returns how many were open. The caller checked ``by``."""
    with transaction.atomic():
        ids = list(Alert.objects.filter(dedupe_key=dedupe_key, acknowledged_at=None)
                   .values_list("pk", flat=True))
        return sum(alert_acknowledge(alert_id=pk, by=by) for pk in ids)

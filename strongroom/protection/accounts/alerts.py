"""Sign-in security alerts (credential stuffing, password spraying, staff lockouts): the
list a security officer works through, and acknowledging one (audited, so "who decided
this was nothing" is on the record). Raised by ``throttle``; ``detail`` holds no
personal data."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from strongroom.protection.audit.events import AuditEvent
from strongroom.protection.audit.services import audit_record

from .models import SecurityAlert


def security_alerts_list(*, limit: int = 100) -> list[SecurityAlert]:
    """Open alerts first (newest first), then the most recently acknowledged."""
    open_ = list(SecurityAlert.objects.filter(acknowledged_at=None)[:limit])
    done: QuerySet[SecurityAlert] = SecurityAlert.objects.exclude(acknowledged_at=None)
    return open_ + list(done.order_by("-acknowledged_at")[: max(0, limit - len(open_))])


def security_alert_acknowledge(*, alert_id: int, by: Any) -> bool:
    """Mark an open alert as looked at (SECURITY_ALERT_ACKNOWLEDGED); False if there is no
    open alert with that id. The caller checked ``by`` may manage sign-in alerts."""
    with transaction.atomic():
        updated = SecurityAlert.objects.filter(pk=alert_id, acknowledged_at=None).update(
            acknowledged_at=timezone.now())
        if not updated:
            return False
        alert = SecurityAlert.objects.get(pk=alert_id)
        audit_record(event=AuditEvent.SECURITY_ALERT_ACKNOWLEDGED, actor=by,
                     object=("accounts.securityalert", alert.pk), reason=alert.kind)
    return True

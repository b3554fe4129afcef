"""What every second factor shares: whether an account has one, the step-up stamp, and
the audit row a change of factors writes."""

from __future__ import annotations

import time
from typing import Any

from django.http import HttpRequest

from strongroom.protection.accounts import sessions
from strongroom.protection.accounts.models import TotpDevice, WebAuthnCredential
from strongroom.protection.accounts.selectors import MFA_VERIFIED_AT
from strongroom.protection.audit.events import AuditEvent
from strongroom.protection.audit.services import audit_record


def mfa_enrolled(*, user: Any) -> bool:
    return (TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()
            or WebAuthnCredential.objects.filter(user=user).exists())


def mfa_stamp(*, request: HttpRequest) -> None:
    """A second factor was just verified: the step-up contract's stamp, and a new
    session id (a privilege change)."""
    old = request.session.session_key
    request.session.cycle_key()
    request.session[MFA_VERIFIED_AT] = time.time()
    sessions.session_rekeyed(request=request, old_key=old)


def factor_audit(event: AuditEvent, user: Any, obj: Any, fields: tuple[str, ...],
                 request: HttpRequest | None) -> None:
    audit_record(event=event, actor=user, subject_id=user.subject_id, object=obj,
                 fields=fields, request=request)

"""Recovery codes: single-use, stored hashed, shown once when generated."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from strongroom.protection.accounts.internal import recovery
from strongroom.protection.accounts.mfa.base import factor_audit
from strongroom.protection.accounts.models import RecoveryCode
from strongroom.protection.audit.events import AuditEvent


def recovery_codes_generate(*, user: Any, request: HttpRequest | None = None) -> list[str]:
    """New codes replace all old ones; the caller shows them once."""
    codes = [recovery.code_new() for _ in range(recovery.COUNT)]
    with transaction.atomic():
        RecoveryCode.objects.filter(user=user).delete()
        RecoveryCode.objects.bulk_create(
            [RecoveryCode(user=user, code_hash=recovery.code_hash(c)) for c in codes])
        factor_audit(AuditEvent.RECOVERY_CODES_REGENERATED, user, user, ("recovery_codes",),
                     request)
    return codes


def recovery_codes_left(*, user: Any) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


def recovery_code_use(*, user: Any, code: str) -> bool:
    """Spend one code (single use: a conditional update claims it)."""
    if not recovery.normalize(code):
        return False
    return bool(RecoveryCode.objects.filter(
        user=user, code_hash=recovery.code_hash(code), used_at__isnull=True,
    ).update(used_at=timezone.now()))

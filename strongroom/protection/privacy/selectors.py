"""Privacy reads."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import QuerySet

from .internal.ledger import ledger_file_entries
from .inventory import Row, inventory_rows
from .models import (
    ConsentRecord,
    DataExport,
    ErasureLedgerEntry,
    ErasureReceipt,
    PolicySection,
    PolicyVersion,
    PrivacyRequest,
    RequestStatus,
)


def inventory(*, personal_only: bool = False) -> list[Row]:
    rows = inventory_rows()
    return [r for r in rows if r.personal] if personal_only else rows


def policy_version_get(*, number: int) -> PolicyVersion | None:
    return PolicyVersion.objects.filter(number=number).first()


def policy_versions() -> QuerySet[PolicyVersion]:
    return PolicyVersion.objects.order_by("-number").only("number", "published_at", "sha256")


def policy_sections() -> QuerySet[PolicySection]:
    return PolicySection.objects.order_by("position", "id")


def consent_history(*, user: Any) -> QuerySet[ConsentRecord]:
    return (ConsentRecord.objects.filter(subject_id=user.subject_id)
            .select_related("policy_version").order_by("-at"))


def exports_of(*, user: Any) -> QuerySet[DataExport]:
    return DataExport.objects.filter(user=user).defer("archive").order_by("-created_at")


def requests_open() -> QuerySet[PrivacyRequest]:
    return (PrivacyRequest.objects.filter(status__in=[RequestStatus.OPEN,
                                                      RequestStatus.SCHEDULED])
            .select_related("assignee").order_by("due_at"))


def requests_closed(*, limit: int = 50) -> QuerySet[PrivacyRequest]:
    return (PrivacyRequest.objects.exclude(status__in=[RequestStatus.OPEN,
                                                       RequestStatus.SCHEDULED])
            .order_by("-closed_at")[:limit])


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def request_get(*, request_id: Any) -> PrivacyRequest | None:
    if _uuid(request_id) is None:
        return None
    return PrivacyRequest.objects.select_related("user", "assignee").filter(
        pk=request_id).first()


def request_pending_erasure(*, user: Any) -> PrivacyRequest | None:
    return PrivacyRequest.objects.filter(user=user, kind="erasure",
                                         status=RequestStatus.SCHEDULED).first()


def ledger_entries() -> QuerySet[ErasureLedgerEntry]:
    return ErasureLedgerEntry.objects.order_by("seq")


def ledger_file() -> list[dict]:
    return ledger_file_entries()


def receipt_get(*, receipt_id: Any) -> ErasureReceipt | None:
    if _uuid(receipt_id) is None:
        return None
    return ErasureReceipt.objects.filter(pk=receipt_id).first()

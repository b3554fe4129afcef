"""Vendor register writes: add, change, assess. Each writes its audit event in the same
transaction. Assumes the caller checked the owner's permission (console: staff.manage).
An expired certification date is accepted (the register must say what is true) and
flagged by ``selectors.vendor_flags``."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from strongroom.protection.audit.events import AuditEvent
from strongroom.protection.audit.services import audit_record
from strongroom.protection.people.errors import PeopleError
from strongroom.protection.people.models import Vendor
from strongroom.protection.people.vendors.selectors import QUESTIONS

EDITABLE = ("name", "service", "purpose", "legal_basis", "fields", "dpa_signed_on",
            "dpa_document", "certifications", "region", "transfer_mechanism", "risk_tier",
            "next_review_on", "active")


def vendor_create(*, key: str, by: Any, **values: Any) -> Vendor:
    if Vendor.objects.filter(key=key).exists():
        raise PeopleError("A vendor with this key is already in the register.", field="key")
    with transaction.atomic():
        vendor = Vendor.objects.create(key=key, **{k: values[k] for k in EDITABLE
                                                   if k in values})
        audit_record(event=AuditEvent.VENDOR_CREATED, actor=by, object=vendor,
                     fields=sorted(k for k in values if k in EDITABLE))
    return vendor


def vendor_update(*, vendor: Vendor, by: Any, **values: Any) -> Vendor:
    changed = [k for k in EDITABLE if k in values and getattr(vendor, k) != values[k]]
    if not changed:
        return vendor
    with transaction.atomic():
        for k in changed:
            setattr(vendor, k, values[k])
        vendor.save(update_fields=changed)
        audit_record(event=AuditEvent.VENDOR_UPDATED, actor=by, object=vendor, fields=changed)
    return vendor


def vendor_assess(*, vendor: Vendor, answers: dict[str, bool], by: Any) -> int:
    """Record the questionnaire; the score is the percentage of "yes" answers."""
    unknown = set(answers) - set(QUESTIONS)
    if unknown:
        raise PeopleError(f"Unknown question: {', '.join(sorted(unknown))}")
    clean = {k: bool(answers.get(k, False)) for k in QUESTIONS}
    score = round(100 * sum(clean.values()) / len(QUESTIONS))
    with transaction.atomic():
        vendor.assessment, vendor.assessment_score = clean, score
        vendor.assessed_at = timezone.now()
        vendor.save(update_fields=["assessment", "assessment_score", "assessed_at"])
        audit_record(event=AuditEvent.VENDOR_ASSESSED, actor=by, object=vendor,
                     reason=f"score {score}%")
    return score

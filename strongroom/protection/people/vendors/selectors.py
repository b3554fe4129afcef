"""Vendor register reads: entries, flags (expired certifications, reviews due), and which
active integrations lack an entry (the deploy check vendors.E001)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import DatabaseError
from django.db.models import QuerySet
from django.utils import timezone

from strongroom.protection.people.errors import VendorNotFound
from strongroom.protection.people.models import Vendor

# The assessment questionnaire: each "yes" counts equally towards the score (percent).
QUESTIONS: dict[str, str] = {
    "dpa": "Has signed a data processing agreement with the store",
    "encryption": "Encrypts our data in transit and at rest",
    "mfa": "Requires a second factor for its staff who can reach our data",
    "breach_notice": "Commits to notify us of a breach within 72 hours",
    "subprocessors": "Publishes its sub-processors and tells us of changes",
    "certified": "Holds a current certification (PCI DSS AoC, ISO 27001 or SOC 2)",
    "deletion": "Deletes our data at the end of the contract",
}
REMIND_DAYS = 30  # reminders this many days before a review or a certification lapses


def vendors_list(*, active_only: bool = False) -> QuerySet:
    qs = Vendor.objects.all()
    return qs.filter(active=True) if active_only else qs


def vendor_get(*, key: str) -> Vendor:
    vendor = Vendor.objects.filter(key=key).first()
    if vendor is None:
        raise VendorNotFound("No such vendor.")
    return vendor


def vendor_flags(*, vendor: Vendor, today: dt.date | None = None) -> list[str]:
    """What needs the owner's attention: expired or expiring certifications, a review
    due, no DPA, never assessed. Words only, for the page, the command and the alert."""
    today = today or timezone.localdate()
    soon = today + dt.timedelta(days=REMIND_DAYS)
    flags: list[str] = []
    for cert in vendor.certifications:
        expires = _date(cert.get("expires"))
        if expires is None:
            continue
        if expires < today:
            flags.append(f"{cert.get('name', 'certification')} expired on {expires}")
        elif expires <= soon:
            flags.append(f"{cert.get('name', 'certification')} expires on {expires}")
    if vendor.next_review_on < today:
        flags.append(f"review overdue since {vendor.next_review_on}")
    elif vendor.next_review_on <= soon:
        flags.append(f"review due on {vendor.next_review_on}")
    if vendor.dpa_signed_on is None:
        flags.append("no data processing agreement recorded")
    if vendor.assessment_score is None:
        flags.append("never assessed")
    return flags


def integrations_active() -> list[tuple[str, str]]:
    """(vendor key, what) for each third party the store's configuration sends data to."""
    active: list[tuple[str, str]] = []
    gateway = getattr(getattr(settings, "STRONGROOM_PAYMENTS", None), "gateway", "none")
    if gateway == "stripe":
        active.append(("stripe", "payment gateway"))
    if settings.EMAIL_BACKEND.endswith(("smtp.EmailBackend", "SharingGateEmailBackend")):
        active.append(("email", "email provider (STRONGROOM_EMAIL_URL)"))
    return active


def integrations_unregistered() -> list[tuple[str, str]]:
    registered = set(Vendor.objects.filter(active=True).values_list("key", flat=True))
    return [(key, what) for key, what in integrations_active() if key not in registered]


def _date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def policy_recipients() -> list[dict]:
    """The active vendors as the privacy policy lists them (no personal data)."""
    try:
        vendors = list(vendors_list(active_only=True))
    except DatabaseError:  # before migrations (a check or a command on a new store)
        return []
    return [{"name": v.name, "service": v.service, "purpose": v.purpose,
             "categories": [c for c in v.categories if c.startswith("user.")],
             "region": v.region, "transfer": v.transfer_mechanism} for v in vendors]

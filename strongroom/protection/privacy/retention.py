"""Retention, enforced: the periods the policy states (inventory ``RETENTION``, settings in
conf.py) applied by a scheduled sweep (jobs.py, daily). Idempotent; ``dry_run`` only
counts. Each real sweep is audited with its counts (RETENTION_SWEPT).

- carts untouched for ``cart_days``: deleted (lines first, in batches);
- sessions unused for ``session_days``, expired Django sessions and throttle records:
  deleted;
- export archives nobody downloaded in time: wiped;
- customer accounts unused for ``inactive_years``: a notice by email, then, if still
  unused ``inactive_notice_days`` later, erased like any erasure (receipt and ledger);
- guest orders older than ``order_years``: their own subject is crypto-shredded (amounts,
  dates and references stay) and the erasure ledger records it;
- the audit log is NOT swept (kept at least 12 months, PCI DSS 10.5.1; append-only); its
  client addresses die with their person's key.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from strongroom.commerce.cart.models import Cart, CartLine
from strongroom.commerce.orders.models import Order
from strongroom.hiddensubjects import hidden_subject_ids
from strongroom.protection.accounts.models import ThrottleCounter, ThrottleMember, UserSession
from strongroom.protection.audit.events import Actor, AuditEvent
from strongroom.protection.audit.services import audit_record
from strongroom.protection.vault.services import subject_shred

from .conf import privacy_settings
from .erasure import _after_commit, customer_erase
from .exports import exports_expire
from .models import ErasureLedgerEntry, RetentionNotice

BATCH = 5000
SYSTEM = Actor.system("privacy.retention")


def _carts(cutoff: dt.datetime, dry_run: bool) -> int:
    stale = Cart.objects.filter(updated_at__lt=cutoff)
    if dry_run:
        return stale.count()
    total = 0
    while True:
        ids = list(stale.values_list("pk", flat=True)[:BATCH])
        if not ids:
            return total
        with transaction.atomic():
            CartLine.objects.filter(cart_id__in=ids).delete()
            Cart.objects.filter(pk__in=ids).delete()
        total += len(ids)


def _delete(qs: Any, dry_run: bool) -> int:
    return qs.count() if dry_run else qs.delete()[0]


def _inactive(now: dt.datetime, dry_run: bool) -> tuple[int, int]:
    s = privacy_settings()
    cutoff = now - dt.timedelta(days=365 * s.inactive_years)
    unused = (get_user_model().objects.filter(is_staff=False, is_active=True)
              .filter(Q(last_login__lt=cutoff) | Q(last_login__isnull=True,
                                                   date_joined__lt=cutoff))
              # Canary records never sign in by design: a notice or an erasure would both
              # spend them and email a trap address (strongroom.hiddensubjects).
              .exclude(subject_id__in=hidden_subject_ids()))
    notified = dict(RetentionNotice.objects.filter(user__in=unused)
                    .values_list("user_id", "sent_at"))
    notices = erased = 0
    for user in unused.iterator():
        sent_at = notified.get(user.pk)
        if sent_at is None:
            notices += 1
            if not dry_run:
                _notice(user, now)
        elif sent_at <= now - dt.timedelta(days=s.inactive_notice_days):
            erased += 1
            if not dry_run:
                customer_erase(user=user, request_ref=f"retention-{now:%Y%m%d}", by=SYSTEM,
                               now=now)
    return notices, erased


def _notice(user: Any, now: dt.datetime) -> None:
    s = privacy_settings()
    address = str(user.email or "")
    with transaction.atomic():
        RetentionNotice.objects.update_or_create(user=user, defaults={"sent_at": now})
        audit_record(event=AuditEvent.RETENTION_NOTICE_SENT, actor=SYSTEM,
                     subject_id=user.subject_id, object=("accounts.user", user.pk))
        if "@" in address:
            body = (f"You have not used your account at {settings.STRONGROOM_STORE_NAME} for "
                    f"{s.inactive_years} years. Unless you sign in within "
                    f"{s.inactive_notice_days} days, we will close it and erase your "
                    "personal data (orders are kept for the accounting period without it).")
            transaction.on_commit(lambda: send_mail(
                f"{settings.STRONGROOM_STORE_NAME}: your unused account will be closed", body,
                None, [address], fail_silently=True))


def _guest_orders(now: dt.datetime, dry_run: bool) -> int:
    cutoff = now - dt.timedelta(days=365 * privacy_settings().order_years)
    subjects = list(Order.objects.filter(user__isnull=True, created_at__lt=cutoff,
                                         subject__erased_at__isnull=True)
                    .values_list("subject_id", flat=True).distinct())
    if dry_run:
        return len(subjects)
    for subject_id in subjects:
        with transaction.atomic():
            subject_shred(subject_id=subject_id)
            ErasureLedgerEntry.objects.create(subject_id=subject_id, erased_at=now,
                                              request_id=f"retention-{now:%Y%m%d}")
            transaction.on_commit(_after_commit)
    return len(subjects)


def retention_sweep(*, dry_run: bool = False, now: dt.datetime | None = None
                    ) -> dict[str, int]:
    """Apply every retention period; returns the count per kind of data."""
    now = now or timezone.now()
    s = privacy_settings()
    counts = {
        "carts": _carts(now - dt.timedelta(days=s.cart_days), dry_run),
        "sessions": _delete(UserSession.objects.filter(
            last_seen_at__lt=now - dt.timedelta(days=s.session_days)), dry_run)
        + _delete(Session.objects.filter(expire_date__lt=now), dry_run),
        "throttle_records": _delete(ThrottleCounter.objects.filter(expires_at__lt=now)
                  .exclude(blocked_until__gt=now), dry_run)
        + _delete(ThrottleMember.objects.filter(expires_at__lt=now), dry_run),
        "exports": exports_expire(now=now, dry_run=dry_run),
    }
    counts["inactive_notices"], counts["inactive_erased"] = _inactive(now, dry_run)
    counts["guest_orders_erased"] = _guest_orders(now, dry_run)
    if not dry_run:
        with transaction.atomic():
            audit_record(event=AuditEvent.RETENTION_SWEPT, actor=SYSTEM,
                         reason=" ".join(f"{k}={v}" for k, v in counts.items()))
    return counts

"""Access reviews (PCI DSS 7.2.4): every 6 months by default, the owner or security
officer reviews every active staff account (its role, last activity, reveals in the
period) and confirms, changes the role of, or disables each. Every step is audited and
the review is kept. An unfinished review past its deadline raises an alert.

Assumes the caller checked the reviewer may manage staff (console: staff.manage; the
command runs as the operator). Role changes and disabling go through access's own
services, with their own audit events and last-owner guard.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from strongroom.protection.access import staff as access_staff
from strongroom.protection.access.roles import Role
from strongroom.protection.access.selectors import role_of, staff_list
from strongroom.protection.alerts.services import alert_raise
from strongroom.protection.audit.events import Actor, AuditEvent
from strongroom.protection.audit.selectors import audit_counts_by_actor
from strongroom.protection.audit.services import audit_record
from strongroom.protection.people.errors import PeopleError
from strongroom.protection.people.models import AccessReview, AccessReviewItem


def _every() -> dt.timedelta:
    """The review interval: ``STRONGROOM_ACCESS_REVIEW_MONTHS`` (1 to 6, default 6)."""
    return dt.timedelta(days=182 * settings.STRONGROOM_ACCESS_REVIEW_MONTHS // 6)


DEADLINE = dt.timedelta(days=30)
DECISIONS = ("confirmed", "changed", "disabled")


def access_review_start(*, by: Any = None, now: dt.datetime | None = None) -> AccessReview:
    """Open a review of every active staff account; refuses while one is open."""
    now = now or timezone.now()
    if AccessReview.objects.filter(completed_at=None).exists():
        raise PeopleError("An access review is already open: finish it first.")
    last = AccessReview.objects.order_by("-started_at").first()
    period_start = last.started_at if last else now - _every()
    users = [u for u in staff_list() if u.is_active]
    reveals = audit_counts_by_actor(event=AuditEvent.FIELD_REVEALED,
                                    actor_ids=[str(u.pk) for u in users], since=period_start)
    actor = by if by is not None else Actor.system("access-review")
    with transaction.atomic():
        review = AccessReview.objects.create(
            started_at=now, period_start=period_start, due_at=now + DEADLINE,
            started_by=str(by.pk) if by is not None else "system:access-review")
        AccessReviewItem.objects.bulk_create([AccessReviewItem(
            review=review, user=u, role=_role_name(u),
            last_activity=u.last_login, reveals=reveals.get(str(u.pk), 0)) for u in users])
        audit_record(event=AuditEvent.ACCESS_REVIEW_STARTED, actor=actor, object=review,
                     reason=f"{len(users)} staff account(s)")
    return review


def access_review_decide(*, item: AccessReviewItem, decision: str, by: Any,
                         role: Role | None = None) -> AccessReviewItem:
    """Confirm, change the role of (``role``) or disable one account; the review is
    completed when the last account is decided."""
    if decision not in DECISIONS:
        raise PeopleError("Confirm, change the role or disable.", field="decision")
    if item.review.completed_at is not None or item.decided_at is not None:
        raise PeopleError("This account has already been reviewed.")
    if decision == "changed" and role is None:
        raise PeopleError("Choose the new role.", field="role")
    with transaction.atomic():
        if decision == "changed":
            access_staff.staff_role_set(user=item.user, role=role, by=by)
        elif decision == "disabled":
            access_staff.staff_disable(user=item.user, by=by)
        item.decision, item.decided_by, item.decided_at = decision, by, timezone.now()
        item.new_role = role.value if decision == "changed" and role else ""
        item.save(update_fields=["decision", "decided_by", "decided_at", "new_role"])
        audit_record(event=AuditEvent.ACCESS_REVIEW_DECIDED, actor=by,
                     subject_id=item.user.subject_id, object=item.review,
                     reason=f"{item.user.pk} {decision}"
                            + (f" {item.role} -> {item.new_role}" if item.new_role else ""))
        review = item.review
        if not review.items.filter(decided_at=None).exists():
            review.completed_at = timezone.now()
            review.save(update_fields=["completed_at"])
            audit_record(event=AuditEvent.ACCESS_REVIEW_COMPLETED, actor=by, object=review)
    return item


def access_review_due(*, now: dt.datetime | None = None) -> dict[str, int]:
    """The scheduled job's work: start a review when the last one began the review
    interval ago (6 months by default) or never, alert when an open review is past its
    deadline. Idempotent."""
    now = now or timezone.now()
    started = overdue = 0
    last = AccessReview.objects.order_by("-started_at").first()
    if last is None or (last.completed_at is not None and last.started_at <= now - _every()):
        review = access_review_start(now=now)
        started = 1
        # The owner and the security officer learn of it where they look (alerts list).
        alert_raise(kind="people.access_review_open", source="people", severity="low",
                    summary=f"access review {review.pk} opened for {review.items.count()} "
                            f"staff account(s); due {review.due_at:%Y-%m-%d} "
                            "(Console → Access review)",
                    detail={"review": review.pk},
                    dedupe_key=f"people.access_review_open:{review.pk}")
    for review in AccessReview.objects.filter(completed_at=None, due_at__lt=now):
        left = review.items.filter(decided_at=None).count()
        alert_raise(kind="people.access_review_overdue", source="people", severity="high",
                    summary=f"access review {review.pk} is past its deadline with {left} "
                            "staff account(s) not reviewed",
                    detail={"review": review.pk, "unreviewed": left},
                    dedupe_key=f"people.access_review_overdue:{review.pk}")
        overdue += 1
    return {"started": started, "overdue": overdue}


def _role_name(user: Any) -> str:
    role = role_of(user)
    return role.value if role else ""

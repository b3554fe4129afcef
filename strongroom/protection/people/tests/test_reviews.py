"""Access reviews: every active staff account listed with role, last activity and reveals
in the period; decisions audited (exact events), role changes and disabling done through
access; an open review blocks another; overdue raises an alert; the command."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from strongroom.protection.access.roles import Role
from strongroom.protection.access.selectors import role_of
from strongroom.protection.alerts.selectors import alerts_open
from strongroom.protection.audit.events import AuditEvent
from strongroom.protection.audit.services import audit_record
from strongroom.protection.people.errors import PeopleError
from strongroom.protection.people.models import AccessReview, AccessReviewItem
from strongroom.protection.people.reviews.services import (
    access_review_decide,
    access_review_due,
    access_review_start,
)
from strongroom.testing.auditing import audit_events_since, audit_mark
from strongroom.testing.staff import console_client, staff_make

pytestmark = pytest.mark.django_db


def test_review_lists_staff_with_reveals_and_decisions_are_audited():
    owner = staff_make(Role.OWNER)
    agent = staff_make(Role.SUPPORT)
    marketer = staff_make(Role.MARKETING)
    with transaction.atomic():
        audit_record(event=AuditEvent.FIELD_REVEALED, actor=agent, object=("user", "x"),
                     fields=["email"], reason="customer_request")
    mark = audit_mark()
    review = access_review_start(by=owner)
    items = {i.user_id: i for i in review.items.all()}
    assert set(items) == {owner.pk, agent.pk, marketer.pk}
    assert items[agent.pk].reveals == 1 and items[agent.pk].role == "support"
    access_review_decide(item=items[owner.pk], decision="confirmed", by=owner)
    access_review_decide(item=items[agent.pk], decision="changed", role=Role.FULFILMENT,
                         by=owner)
    access_review_decide(item=items[marketer.pk], decision="disabled", by=owner)
    assert audit_events_since(mark) == [
        AuditEvent.ACCESS_REVIEW_STARTED, AuditEvent.ACCESS_REVIEW_DECIDED,
        AuditEvent.ROLE_CHANGED, AuditEvent.ACCESS_REVIEW_DECIDED,
        AuditEvent.STAFF_DISABLED, AuditEvent.ACCESS_REVIEW_DECIDED,
        AuditEvent.ACCESS_REVIEW_COMPLETED]
    agent.refresh_from_db()
    marketer.refresh_from_db()
    assert role_of(agent) == Role.FULFILMENT and not marketer.is_active
    review.refresh_from_db()
    assert review.completed_at is not None
    with pytest.raises(PeopleError):
        access_review_decide(item=AccessReviewItem.objects.get(pk=items[owner.pk].pk),
                             decision="confirmed", by=owner)


def test_bad_decisions_and_a_second_open_review_are_refused():
    owner = staff_make(Role.OWNER)
    review = access_review_start(by=owner)
    item = review.items.get(user=owner)
    with pytest.raises(PeopleError):
        access_review_decide(item=item, decision="maybe", by=owner)
    with pytest.raises(PeopleError):
        access_review_decide(item=item, decision="changed", by=owner)
    with pytest.raises(PeopleError):
        access_review_start(by=owner)
    with pytest.raises(CommandError):
        call_command("access", "review", "start")


def test_overdue_review_raises_an_alert_and_the_job_starts_one():
    staff_make(Role.OWNER)
    assert access_review_due()["started"] == 1  # never reviewed: start one
    assert access_review_due()["started"] == 0  # idempotent
    # The reviewers are told where they look: one alert naming the deadline.
    [opened] = [a for a in alerts_open() if a.kind == "people.access_review_open"]
    assert "due " in opened.summary and opened.severity == "low"
    later = timezone.now() + dt.timedelta(days=31)
    assert access_review_due(now=later)["overdue"] == 1
    assert any(a.kind == "people.access_review_overdue" for a in alerts_open())


def test_the_review_interval_is_a_setting(settings):
    """Three months between reviews: the job starts the next one after 91 days, not 182."""
    from strongroom.protection.people.models import AccessReview

    settings.STRONGROOM_ACCESS_REVIEW_MONTHS = 3
    owner = staff_make(Role.OWNER)
    access_review_due()
    review = AccessReview.objects.get()
    review.completed_at = review.started_at
    review.save(update_fields=["completed_at"])
    assert access_review_due(now=review.started_at + dt.timedelta(days=90))["started"] == 0
    assert access_review_due(now=review.started_at + dt.timedelta(days=91))["started"] == 1
    assert owner.is_staff


def test_console_page_start_and_decide():
    owner = staff_make(Role.OWNER)
    agent = staff_make(Role.SUPPORT)
    client = console_client(owner)
    assert client.post(reverse("console:access_review_start")).status_code == 302
    item = AccessReview.objects.get().items.get(user=agent)
    page = client.get(reverse("console:access_review"))
    assert page.status_code == 200 and agent.full_name in page.content.decode()
    response = client.post(reverse("console:access_review_decide", args=[item.pk]),
                           {"decision": "confirmed"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.decision == "confirmed" and item.decided_by_id == owner.pk
    assert client.post(reverse("console:access_review_decide", args=[99999]),
                       {"decision": "confirmed"}).status_code == 404
    assert console_client(agent).get(reverse("console:access_review")).status_code == 403


def test_the_security_officer_reviews_but_cannot_change_roles():
    """PCI DSS 7.2.4: the owner or the security officer reviews. The security officer
    confirms or disables; a role change (a way to grant access) needs staff.manage."""
    owners = staff_make(Role.OWNER), staff_make(Role.OWNER)
    officer, agent, leaver = (staff_make(Role.SECURITY_OFFICER), staff_make(Role.SUPPORT),
                              staff_make(Role.MARKETING))
    assert console_client(agent).get(reverse("console:access_review")).status_code == 403
    client = console_client(officer)
    mark = audit_mark()
    assert client.post(reverse("console:access_review_start")).status_code == 302
    page = client.get(reverse("console:access_review")).content.decode()
    assert "Change role to" not in page and "Disable" in page
    items = {i.user_id: i for i in AccessReviewItem.objects.all()}
    decide = lambda user, **data: client.post(  # noqa: E731
        reverse("console:access_review_decide", args=[items[user.pk].pk]), data)
    assert decide(agent, decision="changed", role="owner").status_code == 403
    assert decide(owners[1], decision="disabled").status_code == 403
    owners[1].refresh_from_db()
    assert role_of(agent) == Role.SUPPORT and owners[1].is_active
    assert decide(agent, decision="confirmed").status_code == 302
    assert decide(leaver, decision="disabled").status_code == 302
    leaver.refresh_from_db()
    assert not leaver.is_active
    assert audit_events_since(mark) == [
        AuditEvent.ACCESS_REVIEW_STARTED, AuditEvent.ACCESS_REVIEW_DECIDED,
        AuditEvent.STAFF_DISABLED, AuditEvent.ACCESS_REVIEW_DECIDED]

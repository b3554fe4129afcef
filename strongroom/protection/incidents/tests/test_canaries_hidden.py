"""Canaries are left out of the store's own lists, mailings and notices (through
``strongroom.hiddensubjects``, which the incident app fills), while seeking one out, and
any API read with a canary's token, still trips the alarm within the request."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from strongroom.commerce.customers.selectors import customer_list
from strongroom.hiddensubjects import hidden_subject_ids, hidden_subject_is
from strongroom.jobs.models import PendingTask
from strongroom.protection.access.roles import FieldGroup, Role
from strongroom.protection.access.services import field_reveal
from strongroom.protection.accounts.tokens import api_token_create
from strongroom.protection.alerts.models import Alert
from strongroom.protection.audit.events import ActorType, AuditEvent
from strongroom.protection.incidents import canaries, notices, services
from strongroom.protection.incidents.models import Delivery, Incident, ScopeEntry
from strongroom.protection.incidents.scope import ScopeQuery
from strongroom.protection.mailer.models import Outbox
from strongroom.protection.mailer.services import mail_queue
from strongroom.testing.auditing import audit_entries_since, audit_events_since, audit_mark
from strongroom.testing.factories import user_make
from strongroom.testing.staff import HttpsClient, staff_make

pytestmark = pytest.mark.django_db

TRIPPED = [AuditEvent.CANARY_TRIPPED, AuditEvent.INCIDENT_OPENED]


@pytest.fixture
def canary():
    canaries.canaries_plant(count=1, domain="mail.shop.example", by=None)
    return get_user_model().objects.get(subject_id__in=canaries.canary_subject_ids())


def test_the_incident_app_registers_its_canaries_as_hidden(canary):
    real = user_make()
    assert hidden_subject_ids() == {canary.subject_id}
    assert hidden_subject_is(canary.subject_id) and hidden_subject_is(str(canary.subject_id))
    assert not hidden_subject_is(real.subject_id) and not hidden_subject_is("not a uuid")


def test_the_customer_list_selector_leaves_canaries_out_unless_sought(canary):
    real = user_make()
    browsed = list(customer_list())
    assert real in browsed and canary not in browsed
    assert list(customer_list(query=str(canary.email))) == [canary]  # sought: found


def test_the_store_never_mails_a_canary(canary):
    real = user_make()
    mark = audit_mark()
    before = PendingTask.objects.count()
    mail_queue(subject_id=canary.subject_id, to=str(canary.email), headline="News",
               body="Hello", kind="newsletter")
    assert not Outbox.objects.exists() and PendingTask.objects.count() == before
    mail_queue(subject_id=real.subject_id, to=str(real.email), headline="News",
               body="Hello", kind="newsletter")
    assert list(Outbox.objects.values_list("subject_id", flat=True)) == [real.subject_id]
    assert audit_entries_since(mark) == []


def test_a_reset_asked_for_a_canarys_address_trips_and_mails_nobody(
        canary, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    mark = audit_mark()
    with django_capture_on_commit_callbacks(execute=True):
        response = HttpsClient().post(reverse("storefront:password_reset"),
                                      {"email": str(canary.email)})
    assert response.status_code in (200, 302)
    assert audit_events_since(mark) == [AuditEvent.PASSWORD_RESET_REQUESTED, *TRIPPED]
    assert not Outbox.objects.exists() and mail.outbox == []


def test_customer_notices_never_reach_a_canary(breach, canary,
                                               django_capture_on_commit_callbacks):
    support, _owner, victims, _others = breach
    owner = staff_make(Role.OWNER)
    incident = services.incident_open(title="t", kind="data_breach", severity="high",
                                      by=owner)
    now = timezone.now()
    services.incident_scope_record(incident=incident, by=owner, query=ScopeQuery(
        "actor", support.email, now - dt.timedelta(hours=1), now + dt.timedelta(hours=1)))
    # A canary in the scope all the same (a list kept from before it was planted).
    ScopeEntry.objects.create(incident=incident, subject_id=canary.subject_id, events=1,
                              first_at=now, last_at=now)
    customer, _ = notices.notices_draft(incident=incident)
    notices.notice_approve(notice=customer, by=owner)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        notices.notices_send(incident=incident, by=owner)
    sent_to = sorted(m.to[0] for m in mail.outbox)
    assert sent_to == sorted(str(v.email) for v in victims)
    assert not Delivery.objects.filter(subject_id=canary.subject_id).exists()


def test_an_api_read_with_a_canarys_token_trips_within_the_request(canary):
    _, raw = api_token_create(user=canary, name="script")
    token = canary.api_tokens.get()
    mark = audit_mark()
    response = HttpsClient().get("/api/orders", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200
    assert audit_events_since(mark) == [AuditEvent.CUSTOMER_VIEWED, *TRIPPED]
    read = audit_entries_since(mark)[0]
    assert read.actor_type == ActorType.API_CLIENT and read.actor_id == str(token.pk)
    assert read.subject_id == str(canary.subject_id)
    alert = Alert.objects.get(kind=canaries.ALERT_KIND)
    assert alert.severity == "high" and alert.detail["token_id"] == str(token.pk)
    assert Incident.objects.filter(alert_id=alert.pk).exists()
    # The consents endpoint too: each read is recorded, the open alert counts it.
    mark = audit_mark()
    assert HttpsClient().get("/api/privacy/consents",
                             headers={"Authorization": f"Bearer {raw}"}).status_code == 200
    assert audit_events_since(mark) == [AuditEvent.CUSTOMER_VIEWED, AuditEvent.CANARY_TRIPPED]


def test_a_real_customers_api_reads_record_nothing_and_staff_have_no_api(canary):
    real = user_make()
    _, raw = api_token_create(user=real)
    _, staff_raw = api_token_create(user=staff_make(Role.OWNER))
    mark = audit_mark()
    assert HttpsClient().get("/api/orders",
                             headers={"Authorization": f"Bearer {raw}"}).status_code == 200
    assert HttpsClient().get("/api/orders",
                             headers={"Authorization": f"Bearer {staff_raw}"}).status_code == 401
    assert audit_entries_since(mark) == []
    assert not Alert.objects.filter(kind=canaries.ALERT_KIND).exists()


def test_an_api_sign_in_attempt_with_a_canarys_email_trips(canary):
    mark = audit_mark()
    response = HttpsClient().post("/api/auth/token", {
        "email": str(canary.email), "password": "a guessed password 123"},
        content_type="application/json")
    assert response.status_code == 401
    assert audit_events_since(mark)[-2:] == TRIPPED


def test_an_export_of_that_one_canary_still_trips(canary, tmp_path):
    from strongroom.protection.privacy.exports import export_to_file

    mark = audit_mark()
    export_to_file(user=canary, out=tmp_path / "c.zip", request_ref="DSAR-1")
    assert audit_events_since(mark) == [AuditEvent.EXPORT_CREATED, *TRIPPED]


def test_a_reveal_of_a_canary_after_browsing_still_trips(canary, settings):
    settings.STRONGROOM_REVEAL_LIMIT = 1000
    mark = audit_mark()
    field_reveal(viewer=staff_make(Role.OWNER), subject_id=canary.subject_id, obj=canary,
                 groups=[FieldGroup.EMAIL], reason="ticket")
    assert audit_events_since(mark) == [AuditEvent.FIELD_REVEALED, *TRIPPED]

"""The customer's privacy page: who looked at my data and why; marketing consent."""

from __future__ import annotations

import pytest
from django.urls import reverse

from strongroom.interfaces.console.tests.conftest import order_make
from strongroom.protection.access.models import MarketingConsent
from strongroom.protection.access.roles import Role
from strongroom.protection.audit.events import ActorType, AuditEvent
from strongroom.protection.audit.models import AuditEntry
from strongroom.testing.factories import user_make
from strongroom.testing.staff import console_client, staff_make

from .conftest import https_client

pytestmark = pytest.mark.django_db
URL = "/account/privacy/"


@pytest.fixture
def me(customer):
    client = https_client()
    client.force_login(customer)
    return client


def test_anonymous_is_sent_to_login(client):
    r = client.get(URL)
    assert r.status_code == 302 and r["Location"].startswith(reverse("storefront:login"))


def test_nobody_looked_yet(me):
    html = me.get(URL).content.decode()
    assert "Nobody at the store has looked at your data" in html


def test_shows_who_looked_and_why_by_role_not_name(me, customer):
    order = order_make(user=customer)
    agent = staff_make(Role.SUPPORT, full_name="Stan Support")
    staff = console_client(agent)
    staff.get(reverse("console:order_detail", args=[order.reference]))
    staff.post(reverse("console:customer_reveal", args=[customer.pk]),
               {"groups": ["email"], "reason": "customer_request", "ticket": "T-7"})
    html = me.get(URL).content.decode()
    log = html[html.index('id="access-log"'):]
    assert "Support staff member" in log and "Stan" not in log
    assert f"viewed an order {order.reference}" in log
    assert "revealed: email address" in log
    assert "The customer asked for help (ticket T-7)" in log


def test_shows_only_my_own_data_access(me, customer):
    other = user_make(full_name="Otto Other")
    console_client(staff_make(Role.SUPPORT)).get(
        reverse("console:customer_detail", args=[other.pk]))
    assert "Nobody at the store has looked at your data" in me.get(URL).content.decode()


def test_marketing_consent_toggle_records_consent_and_withdrawal(me, customer):
    assert me.post(URL, {"marketing": "on"}).status_code == 302
    consent = MarketingConsent.objects.get(user=customer)
    assert consent.agreed and consent.source == "storefront.privacy"
    assert 'checked' in me.get(URL).content.decode()
    assert me.post(URL, {"marketing": "on"}).status_code == 302  # unchanged: no new event
    assert me.post(URL, {}).status_code == 302
    consent.refresh_from_db()
    assert not consent.agreed
    rows = list(AuditEntry.objects.filter(subject_id=str(customer.subject_id), event__in=[
        AuditEvent.CONSENT_GIVEN, AuditEvent.CONSENT_WITHDRAWN]).order_by("id").values_list(
        "event", "actor_type", "actor_id", "fields", "reason"))
    assert rows == [
        (AuditEvent.CONSENT_GIVEN, ActorType.CUSTOMER, str(customer.pk), "marketing",
         "storefront.privacy"),
        (AuditEvent.CONSENT_WITHDRAWN, ActorType.CUSTOMER, str(customer.pk), "marketing",
         "storefront.privacy"),
    ]


def test_consent_needs_csrf(customer):
    client = https_client()
    client.handler.enforce_csrf_checks = True
    client.force_login(customer)
    assert client.post(URL, {"marketing": "on"}).status_code == 403
    assert not MarketingConsent.objects.exists()


def test_repeated_views_are_one_row_with_a_count(me, customer):
    """A staff member paging through the customer list shows the name each time: the
    customer sees one line per staff member, day and fields, with how many times."""
    import datetime as dt

    from django.db import transaction

    from strongroom.protection.audit.services import audit_record

    agent = staff_make(Role.SUPPORT, full_name="Stan Support")
    staff = console_client(agent)
    for _ in range(20):
        assert staff.get(reverse("console:customer_list")).status_code == 200
    # Support sees only the name in clear on the account page too: the same row.
    staff.get(reverse("console:customer_detail", args=[customer.pk]))
    other = console_client(staff_make(Role.ADMIN))
    other.get(reverse("console:customer_list"))  # another staff member: own row
    yesterday = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    with transaction.atomic():
        for _ in range(2):  # the same view yesterday: its own row
            audit_record(event=AuditEvent.CUSTOMER_VIEWED, actor=agent, at=yesterday,
                         subject_id=customer.subject_id, object=customer,
                         fields=["full_name"])
    html = me.get(URL).content.decode()
    log = html[html.index('id="access-log"'):html.index("</table>")]
    assert log.count("<tr>") == 1 + 3  # header + 3 groups, not 1 + 24 rows
    assert "(21 times)" in log and "(2 times)" in log
    assert log.count("times)") == 2  # single views carry no count
    assert "Support staff member" in log and "Admin staff member" in log
    assert "Stan" not in log

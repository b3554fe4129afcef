"""The exact audit events each key staff action emits, in order: viewing a customer or
an order, revealing, hitting the reveal limit, searching the audit log, inviting,
accepting an invitation, changing a role, disabling, disabling idle accounts."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from strongroom.protection.access.roles import Role
from strongroom.protection.audit.events import ActorType, AuditEvent
from strongroom.protection.audit.models import AuditEntry
from strongroom.testing.factories import user_make
from strongroom.testing.staff import HttpsClient, console_client, staff_make

from .conftest import order_make

pytestmark = pytest.mark.django_db
STAFF, SYSTEM, CUSTOMER = ActorType.STAFF, ActorType.SYSTEM, ActorType.CUSTOMER
PASSWORD = "a long and unusual passphrase 7391"


def last_id() -> int:
    return AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0


def events(since: int) -> list[tuple]:
    return list(AuditEntry.objects.filter(id__gt=since).order_by("id").values_list(
        "event", "actor_type", "actor_id", "subject_id", "object_type", "object_id",
        "fields", "reason"))


@pytest.fixture
def customer(db):
    return user_make(email="cara@example.test", full_name="Cara Customer")


def test_viewing_a_customer_records_one_customer_viewed(customer):
    agent = staff_make(Role.SUPPORT)
    client = console_client(agent)
    start = last_id()
    assert client.get(reverse("console:customer_detail", args=[customer.pk])).status_code == 200
    assert events(start) == [(AuditEvent.CUSTOMER_VIEWED, STAFF, str(agent.pk),
                              str(customer.subject_id), "accounts.user", str(customer.pk),
                              "full_name", "")]


def test_customer_list_records_a_view_per_customer_shown(customer):
    other = user_make(full_name="Otto Other")
    agent = staff_make(Role.SUPPORT)
    client = console_client(agent)
    start = last_id()
    client.get(reverse("console:customer_list"))
    assert sorted(events(start)) == sorted(
        (AuditEvent.CUSTOMER_VIEWED, STAFF, str(agent.pk), str(u.subject_id), "accounts.user",
         str(u.pk), "full_name", "") for u in (customer, other))


def test_viewing_an_order_records_one_order_viewed(customer):
    order = order_make(user=customer)
    agent = staff_make(Role.SUPPORT)
    client = console_client(agent)
    start = last_id()
    client.get(reverse("console:order_detail", args=[order.reference]))
    assert events(start) == [(AuditEvent.ORDER_VIEWED, STAFF, str(agent.pk),
                              str(order.subject_id), "orders.order", str(order.pk),
                              "full_name", "")]


def test_reveal_records_field_revealed_then_the_view(customer):
    agent = staff_make(Role.SUPPORT)
    client = console_client(agent)
    start = last_id()
    r = client.post(reverse("console:customer_reveal", args=[customer.pk]),
                    {"groups": ["email"], "reason": "customer_request", "ticket": "T-42"})
    assert r.status_code == 200 and "cara@example.test" in r.content.decode()
    who = (STAFF, str(agent.pk), str(customer.subject_id), "accounts.user", str(customer.pk))
    assert events(start) == [
        (AuditEvent.FIELD_REVEALED, *who, "email", "customer_request ticket T-42"),
        (AuditEvent.CUSTOMER_VIEWED, *who, "full_name,email", ""),
    ]


def test_order_reveal_names_the_order_fields(customer):
    order = order_make(user=customer)
    agent = staff_make(Role.ADMIN)
    client = console_client(agent)
    start = last_id()
    client.post(reverse("console:order_reveal", args=[order.reference]),
                {"groups": ["address", "email"], "reason": "delivery_problem"})
    who = (STAFF, str(agent.pk), str(order.subject_id), "orders.order", str(order.pk))
    assert events(start) == [
        (AuditEvent.FIELD_REVEALED, *who, "email,line1,line2,city,postal_code",
         "delivery_problem"),
        (AuditEvent.ORDER_VIEWED, *who, "full_name,email,line1,city,postal_code", ""),
    ]


def test_reveal_rate_limit_alerts_once_and_refuses(customer, settings, caplog):
    settings.STRONGROOM_REVEAL_LIMIT = 2
    agent = staff_make(Role.SUPPORT)
    client = console_client(agent)
    url = reverse("console:customer_reveal", args=[customer.pk])
    form = {"groups": ["email"], "reason": "customer_request"}
    for _ in range(2):
        assert client.post(url, form).status_code == 200
    start = last_id()
    with caplog.at_level(logging.WARNING, logger="strongroom.access"):
        r = client.post(url, form)
    assert r.status_code == 429 and b"cara@example.test" not in r.content
    assert "reveals are paused" in r.content.decode()
    assert "reveal rate limit hit" in caplog.text and str(agent.pk) in caplog.text
    who = (STAFF, str(agent.pk), str(customer.subject_id), "accounts.user", str(customer.pk))
    assert events(start) == [
        (AuditEvent.REVEAL_RATE_LIMITED, *who, "email", "more than 2 reveals in the window"),
        (AuditEvent.CUSTOMER_VIEWED, *who, "full_name", ""),
    ]
    # The staff member was told the security team was alerted: it is on the alert page.
    from strongroom.protection.alerts.models import Alert

    alert = Alert.objects.get(kind="access.reveal_limit")
    assert (alert.source, alert.severity, alert.count) == ("access", "high", 1)
    assert str(agent.pk) in alert.summary and "cara" not in alert.summary
    assert str(customer.pk) not in str(alert.detail)  # names no customer
    officer = console_client(staff_make(Role.SECURITY_OFFICER))
    assert 'data-kind="access.reveal_limit"' in officer.get(
        reverse("console:alerts")).content.decode()
    start = last_id()
    assert client.post(url, form).status_code == 429
    assert events(start) == [(AuditEvent.CUSTOMER_VIEWED, *who, "full_name", "")]  # no 2nd alert
    assert Alert.objects.get(kind="access.reveal_limit").count == 1


def test_the_reveal_reaching_the_threshold_raises_the_mass_access_alert(customer, settings,
                                                                       caplog):
    settings.STRONGROOM_REVEAL_LIMIT = 5
    settings.STRONGROOM_REVEAL_ALERT_AT = 3
    from strongroom.protection.alerts.models import Alert

    agent = staff_make(Role.SUPPORT)
    client = console_client(agent)
    url = reverse("console:customer_reveal", args=[customer.pk])
    form = {"groups": ["email"], "reason": "customer_request"}
    for _ in range(2):
        assert client.post(url, form).status_code == 200
    assert not Alert.objects.filter(kind="access.mass_reveal").exists()
    with caplog.at_level(logging.WARNING, logger="strongroom.access"):
        r = client.post(url, form)
    assert r.status_code == 200 and b"cara@example.test" in r.content  # allowed: shown
    assert "mass access" in caplog.text and str(agent.pk) in caplog.text
    alert = Alert.objects.get(kind="access.mass_reveal")
    assert (alert.source, alert.severity, alert.count) == ("access", "high", 1)
    assert alert.detail == {"staff_id": str(agent.pk), "reveals": 3, "limit": 5}
    assert "cara" not in alert.summary and str(customer.pk) not in alert.summary
    for _ in range(2):  # up to the limit: no second alert
        assert client.post(url, form).status_code == 200
    assert Alert.objects.get(kind="access.mass_reveal").count == 1
    assert not Alert.objects.filter(kind="access.reveal_limit").exists()


def test_refused_reveal_records_no_reveal(customer):
    agent = staff_make(Role.SUPPORT)
    client = console_client(agent)
    start = last_id()
    client.post(reverse("console:customer_reveal", args=[customer.pk]), {"groups": ["email"]})
    assert [e[0] for e in events(start)] == [AuditEvent.CUSTOMER_VIEWED]


def test_audit_search_is_itself_audited(customer):
    auditor = staff_make(Role.AUDITOR)
    client = console_client(auditor)
    start = last_id()
    r = client.get(reverse("console:audit_search"),
                   {"customer": "CARA@example.test", "event": str(int(AuditEvent.CUSTOMER_VIEWED))})
    assert r.status_code == 200
    assert events(start) == [(AuditEvent.AUDIT_LOG_SEARCHED, STAFF, str(auditor.pk),
                              str(customer.subject_id), "", "", "customer,event", "")]


def test_invite_then_accept(mailoutbox, django_capture_on_commit_callbacks):
    owner = staff_make(Role.OWNER)
    client = console_client(owner)
    start = last_id()
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(reverse("console:staff_invite"), {
            "email": "New.Hire@Example.test", "full_name": "Nia Newhire", "role": "support"})
    assert r.status_code == 302
    hire = get_user_model().objects.get_by_natural_key("new.hire@example.test")
    assert events(start) == [(AuditEvent.STAFF_INVITED, STAFF, str(owner.pk),
                              str(hire.subject_id), "accounts.user", str(hire.pk), "role",
                              "role support")]
    link = re.search(r"https://\S+/console/invite/(\S+)/", mailoutbox[0].body)
    token = link.group(1)
    newcomer = HttpsClient()
    assert newcomer.get(reverse("console:invite_accept", args=[token])).status_code == 200
    start = last_id()
    r = newcomer.post(reverse("console:invite_accept", args=[token]),
                      {"password": PASSWORD, "password_again": PASSWORD})
    assert r.status_code == 302 and r["Location"] == reverse("console:dashboard")
    got = events(start)
    mine = (str(hire.subject_id), "accounts.user", str(hire.pk))
    assert got[0] == (AuditEvent.STAFF_ACTIVATED, STAFF, str(hire.pk), *mine, "", "")
    assert got[1][0] == AuditEvent.LOGIN_SUCCEEDED and got[1][2] == str(hire.pk)
    # next, the accounts middleware makes the newcomer enrol a second factor
    r = newcomer.get(reverse("console:dashboard"))
    assert r.status_code == 302 and r["Location"].startswith(reverse("storefront:security"))
    # the link works once
    assert HttpsClient().get(reverse("console:invite_accept", args=[token])).status_code == 404


def test_role_change_and_disable(customer):
    owner = staff_make(Role.OWNER)
    agent = staff_make(Role.SUPPORT)
    client = console_client(owner)
    start = last_id()
    prefix = f"s{agent.pk.hex}"
    assert client.post(reverse("console:staff_role", args=[agent.pk]),
                       {f"{prefix}-role": "admin"}).status_code == 302
    assert client.post(reverse("console:staff_disable", args=[agent.pk])).status_code == 302
    target = (str(agent.subject_id), "accounts.user", str(agent.pk))
    assert events(start) == [
        (AuditEvent.ROLE_CHANGED, STAFF, str(owner.pk), *target, "role", "support -> admin"),
        (AuditEvent.STAFF_DISABLED, STAFF, str(owner.pk), *target, "", ""),
    ]
    # the disabled account's open session no longer opens the console
    agent_client = console_client(agent)
    get_user_model().objects.filter(pk=agent.pk).update(is_active=False)
    r = agent_client.get(reverse("console:dashboard"))
    assert r.status_code == 302 and r["Location"].startswith(reverse("console:login"))


def test_idle_accounts_are_disabled_by_the_system():
    staff_make(Role.OWNER)
    idle = staff_make(Role.FULFILMENT)
    get_user_model().objects.filter(pk=idle.pk).update(
        last_login=timezone.now() - timedelta(days=91))
    start = last_id()
    call_command("staff", "disable-idle")
    assert events(start) == [(AuditEvent.STAFF_IDLE_DISABLED, SYSTEM, "staff disable-idle",
                              str(idle.subject_id), "accounts.user", str(idle.pk), "",
                              "no sign-in for 90 days")]


def test_re_enable_and_invite_again_from_the_staff_page(mailoutbox,
                                                      django_capture_on_commit_callbacks):
    owner = staff_make(Role.OWNER)
    agent = staff_make(Role.SUPPORT)
    client = console_client(owner)
    assert client.post(reverse("console:staff_disable", args=[agent.pk])).status_code == 302
    page = client.get(reverse("console:staff_list")).content.decode()
    assert reverse("console:staff_enable", args=[agent.pk]) in page
    start = last_id()
    assert client.post(reverse("console:staff_enable", args=[agent.pk])).status_code == 302
    target = (str(agent.subject_id), "accounts.user", str(agent.pk))
    assert events(start) == [(AuditEvent.STAFF_ENABLED, STAFF, str(owner.pk), *target, "",
                              "new password required at next sign-in")]
    agent.refresh_from_db()
    assert agent.is_active and agent.password_reset_required
    # an invitation that was never used: a new one, not a re-enable
    client.post(reverse("console:staff_invite"), {"email": "late@example.test",
                                                  "full_name": "Lou Late", "role": "support"})
    invited = get_user_model().objects.get_by_natural_key("late@example.test")
    assert client.post(reverse("console:staff_enable", args=[invited.pk])).status_code == 409
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("console:staff_reinvite",
                                   args=[invited.pk])).status_code == 302
    assert mailoutbox[-1].to == ["late@example.test"]
    assert client.post(reverse("console:staff_reinvite", args=[agent.pk])).status_code == 409


def test_only_the_owner_re_enables_or_invites_again():
    agent = staff_make(Role.SUPPORT)
    for role in (Role.ADMIN, Role.SECURITY_OFFICER, Role.SUPPORT, Role.AUDITOR):
        client = console_client(staff_make(role))
        assert client.post(reverse("console:staff_enable", args=[agent.pk])).status_code == 403
        assert client.post(reverse("console:staff_reinvite",
                                   args=[agent.pk])).status_code == 403

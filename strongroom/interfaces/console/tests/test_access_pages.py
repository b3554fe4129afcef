"""The access pages: audit search, "who accessed this customer's data", staff
management and the invitation page, with their bad-input and attack cases."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from strongroom.protection.access.roles import Role
from strongroom.protection.audit.events import AuditEvent
from strongroom.testing.factories import user_make
from strongroom.testing.staff import HttpsClient, console_client, staff_make

pytestmark = pytest.mark.django_db
AUDIT = "/console/audit/"


@pytest.fixture
def customer(db):
    return user_make(email="cara@example.test", full_name="Cara Customer")


def test_customer_page_shows_who_accessed_the_data_and_why(customer):
    agent = staff_make(Role.SUPPORT, full_name="Stan Support")
    console_client(agent).post(reverse("console:customer_reveal", args=[customer.pk]), {
        "groups": ["email"], "reason": "payment_problem", "ticket": "T-9"})
    admin = console_client(staff_make(Role.ADMIN))
    html = admin.get(reverse("console:customer_detail", args=[customer.pk])).content.decode()
    panel = html[html.index('id="access-history"'):]
    assert "Stan Support" in panel and "(Support)" in panel
    assert "revealed: email address" in panel
    assert "A payment or refund problem (ticket T-9)" in panel


def test_audit_search_filters_by_actor_customer_event_and_time(customer):
    agent = staff_make(Role.SUPPORT, full_name="Stan Support")
    other = user_make(full_name="Otto Other")
    client = console_client(agent)
    client.get(reverse("console:customer_detail", args=[customer.pk]))
    client.get(reverse("console:customer_detail", args=[other.pk]))
    auditor = console_client(staff_make(Role.AUDITOR))
    html = auditor.get(AUDIT, {"actor": str(agent.pk), "customer": "cara@example.test"}
                       ).content.decode()
    assert html.count("viewed the account") == 1 and str(customer.subject_id)[:12] in html
    assert "Stan Support" in html and "Cara" not in html  # the auditor sees no customer data
    html = auditor.get(AUDIT, {"customer": str(other.subject_id)}).content.decode()
    assert html.count("viewed the account") == 1
    html = auditor.get(AUDIT, {"event": str(int(AuditEvent.FIELD_REVEALED))}).content.decode()
    assert "No events match" in html
    html = auditor.get(AUDIT, {"since": "2000-01-01T00:00", "until": "2000-01-02T00:00"}
                       ).content.decode()
    assert "No events match" in html
    html = auditor.get(AUDIT, {"customer": "nobody@example.test"}).content.decode()
    assert "No customer has exactly that email" in html and "No events match" in html


@pytest.mark.parametrize("query", [
    {"event": "99999"}, {"event": "x"}, {"actor": str(uuid.uuid4())}, {"since": "yesterday"},
    {"since": "2020-01-02T00:00", "until": "2020-01-01T00:00"}, {"customer": "a" * 300},
])
def test_audit_search_bad_input_is_400(query):
    auditor = console_client(staff_make(Role.AUDITOR))
    assert auditor.get(AUDIT, query).status_code == 400


def test_audit_search_odd_input_is_not_a_500():
    auditor = console_client(staff_make(Role.AUDITOR))
    for query in ({"customer": "x\x00@y"}, {"page": "-1"}, {"page": "zz"},
                  {"customer": "not-an-email"}):
        assert auditor.get(AUDIT, query).status_code in (200, 400)


def test_staff_pages_are_the_owners_only():
    owner = staff_make(Role.OWNER)
    target = staff_make(Role.SUPPORT)
    for role in (Role.ADMIN, Role.SECURITY_OFFICER, Role.SUPPORT, Role.AUDITOR):
        client = console_client(staff_make(role))
        assert client.get(reverse("console:staff_list")).status_code == 403
        assert client.post(reverse("console:staff_invite"), {
            "email": "x@example.test", "full_name": "X", "role": "owner"}).status_code == 403
        assert client.post(reverse("console:staff_role", args=[target.pk]),
                           {f"s{target.pk.hex}-role": "owner"}).status_code == 403
        assert client.post(reverse("console:staff_disable", args=[owner.pk])).status_code == 403
    target.refresh_from_db()
    owner.refresh_from_db()
    assert target.staff_role.role == "support" and owner.is_active


def test_staff_page_lists_staff_but_not_customers(customer):
    owner = console_client(staff_make(Role.OWNER, full_name="Olga Owner"))
    staff_make(Role.MARKETING, full_name="Mia Marketing")
    html = owner.get(reverse("console:staff_list")).content.decode()
    assert "Olga Owner" in html and "Mia Marketing" in html and "Cara" not in html


def test_staff_actions_refuse_customers_unknown_ids_and_bad_roles(customer):
    owner = console_client(staff_make(Role.OWNER))
    agent = staff_make(Role.SUPPORT)
    for pk in (customer.pk, uuid.uuid4()):
        assert owner.post(reverse("console:staff_role", args=[pk]),
                          {f"s{pk.hex}-role": "owner"}).status_code == 404
        assert owner.post(reverse("console:staff_disable", args=[pk])).status_code == 404
    assert owner.post(reverse("console:staff_role", args=[agent.pk]),
                      {f"s{agent.pk.hex}-role": "god"}).status_code == 400
    customer.refresh_from_db()
    assert customer.is_active and not customer.is_staff


def test_owner_cannot_demote_or_disable_themself():
    user = staff_make(Role.OWNER)
    owner = console_client(user)
    r = owner.post(reverse("console:staff_role", args=[user.pk]),
                   {f"s{user.pk.hex}-role": "support"})
    assert r.status_code == 409 and "your own account" in r.content.decode()
    assert owner.post(reverse("console:staff_disable", args=[user.pk])).status_code == 409


@pytest.mark.parametrize("data", [
    {"email": "not-an-email", "full_name": "X", "role": "support"},
    {"email": "ok@example.test", "full_name": "X", "role": "superuser"},
    {"email": "ok@example.test", "full_name": "", "role": "support"},
])
def test_invite_bad_input_is_400_and_creates_nothing(data):
    from django.contrib.auth import get_user_model

    owner = console_client(staff_make(Role.OWNER))
    count = get_user_model().objects.count()
    assert owner.post(reverse("console:staff_invite"), data).status_code == 400
    assert get_user_model().objects.count() == count


def test_invite_to_an_existing_account_is_refused(customer):
    owner = console_client(staff_make(Role.OWNER))
    r = owner.post(reverse("console:staff_invite"), {
        "email": "cara@example.test", "full_name": "Cara", "role": "owner"})
    assert r.status_code == 409 and "already has an account" in r.content.decode()
    customer.refresh_from_db()
    assert not customer.is_staff


@pytest.mark.parametrize("token", ["nope", "a" * 200, "%00"])
def test_invite_page_with_a_bad_link_is_404(token):
    assert HttpsClient().get(f"/console/invite/{token}/").status_code == 404


def test_invite_page_refuses_mismatched_or_weak_passwords(mailoutbox,
                                                           django_capture_on_commit_callbacks):
    from strongroom.protection.access.staff import staff_invite

    owner = staff_make(Role.OWNER)
    user, raw = staff_invite(email="n@example.test", full_name="N", role=Role.SUPPORT, by=owner,
                             link=lambda t: t)
    url = reverse("console:invite_accept", args=[raw])
    client = HttpsClient()
    assert client.post(url, {"password": "a long and unusual passphrase 1",
                             "password_again": "different"}).status_code == 400
    assert client.post(url, {"password": "short", "password_again": "short"}).status_code == 400
    user.refresh_from_db()
    assert not user.is_active and not user.has_usable_password()


def test_access_pages_carry_no_inline_script_or_style(customer):
    owner = console_client(staff_make(Role.OWNER))
    for url in (AUDIT, reverse("console:staff_list"),
                reverse("console:customer_detail", args=[customer.pk])):
        html = owner.get(url).content.decode()
        assert "<script>" not in html and "style=" not in html and " onclick" not in html

"""Console polish found by trying the store as a new owner would (issue 11, item 19)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from strongroom.commerce.orders.models import Order
from strongroom.commerce.orders.services import order_transition
from strongroom.interfaces.web.templatetags.moneyformat import money_format
from strongroom.protection.access.roles import Role
from strongroom.testing.staff import console_client, staff_make

from .conftest import order_make


@pytest.fixture
def admin(db):
    return staff_make(Role.ADMIN, email="admin-polish@example.test", full_name="Ada Admin")


@pytest.fixture
def admin_client(admin):
    return console_client(admin)


def test_money_is_shown_in_the_one_format_on_dashboard_and_order_pages(admin_client, admin):
    order = order_make()
    order_transition(order=order, to_status="paid", actor=admin)
    order = Order.objects.get(pk=order.pk)
    shown = money_format(order.total, order.currency)
    assert shown.startswith(f"{order.currency} ")
    for name, args in (("console:dashboard", []), ("console:order_detail", [order.reference]),
                       ("console:order_list", [])):
        html = admin_client.get(reverse(name, args=args)).content.decode()
        assert shown in html, name
        assert f"{order.total} {order.currency}" not in html, name


def test_audit_page_shows_human_labels_not_internal_names(db):
    from django.db import transaction

    from strongroom.protection.audit.events import AuditEvent
    from strongroom.protection.audit.services import audit_record

    owner = staff_make(Role.OWNER, full_name="Olive Owner")
    with transaction.atomic():
        audit_record(event=AuditEvent.MFA_ENROLLED, actor=owner,
                     object=("accounts.totpdevice", "1"), fields=["recovery_codes"])
        audit_record(event=AuditEvent.ORDER_STATUS_CHANGED, actor=owner,
                     object=("orders.order", "7"), fields=["status"])
    html = console_client(staff_make(Role.AUDITOR)).get("/console/audit/").content.decode()
    table = html[html.index('id="audit-results"'):]
    for internal in ("recovery_codes", ">accounts.totpdevice<", ">orders.order<",
                     "Mfa enrolled", "mfa enrolled"):
        assert internal not in table, internal
    assert "MFA enrolled" in table and "Recovery codes" not in table
    assert "recovery codes" in table and "Authenticator app" in table and "Order" in table
    # The event filter speaks the same words.
    assert ">MFA enrolled</option>" in html


def test_order_history_reads_as_sentences(admin_client, admin):
    from strongroom.testing.factories import user_make

    guest_order = order_make()
    order_transition(order=guest_order, to_status="paid", actor=admin)
    html = admin_client.get(reverse("console:order_detail", args=[guest_order.reference])
                            ).content.decode()
    history = html[html.index("console-timeline"):]
    assert "Order placed by a guest (awaiting payment)" in history
    assert f"Status changed by {admin.full_name}: awaiting payment → paid" in history
    assert "Placed pending" not in history and "by system" not in history

    customer_order = order_make(user=user_make())
    html = admin_client.get(reverse("console:order_detail", args=[customer_order.reference])
                            ).content.decode()
    assert "Order placed by the customer (awaiting payment)" in html


def test_an_owner_without_a_second_factor_enrols_in_the_console_layout(db):
    from strongroom.protection.access.models import StaffRole
    from strongroom.testing.accounts import staff_make as staff_without_role
    from strongroom.testing.staff import HttpsClient

    owner = staff_without_role(mfa=False, full_name="New Owner")
    StaffRole.objects.create(user=owner, role=Role.OWNER)
    client = HttpsClient()
    client.force_login(owner)
    response = client.get("/console/")
    assert response.status_code == 302 and "/account/security/" in response.url
    html = client.get(response.url).content.decode()
    assert '<body class="console">' in html and "console-nav" in html
    assert 'id="cart-count"' not in html and "site-header" not in html
    assert "Staff accounts need a second factor" in html


def test_a_customer_keeps_the_shop_layout_on_the_same_page(db):
    from strongroom.testing.factories import user_make
    from strongroom.testing.staff import HttpsClient

    client = HttpsClient()
    client.force_login(user_make())
    html = client.get("/account/security/").content.decode()
    assert 'id="cart-count"' in html and "console-nav" not in html


def test_the_staff_sign_in_second_step_is_in_the_console_layout(db):
    from strongroom.testing.staff import HttpsClient

    owner = staff_make(Role.OWNER, email="two-step@staff.example.test")
    client = HttpsClient()
    response = client.post("/console/login/", {"email": owner.email,
                                                "password": "correct horse battery staple"})
    assert response.status_code == 302 and "/account/verify/" in response.url
    html = client.get(response.url).content.decode()
    assert '<body class="console">' in html and 'id="cart-count"' not in html

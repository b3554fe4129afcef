"""Each role can and cannot do exactly what the role table says, through the pages.

The expectations are written out here by hand (not derived from ROLE_TABLE), so a
change to the table that is not also a decision shows up as a failing test.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, reverse

from strongroom.commerce.orders.services import order_transition
from strongroom.interfaces.console import urls as console_urls
from strongroom.protection.access.roles import Role
from strongroom.protection.access.services import marketing_consent_set
from strongroom.protection.audit.models import AuditEntry
from strongroom.testing.factories import user_make
from strongroom.testing.staff import console_client, staff_make

from .conftest import order_make

pytestmark = pytest.mark.django_db

OW, A, S, SU, F, M, AU, NONE = ("owner", "admin", "security_officer", "support", "fulfilment",
                               "marketing", "auditor", None)
ALL_ROLES = [OW, A, S, SU, F, M, AU, NONE]

# page -> roles that get it (everyone else: 403). Objects: a pending order, a paid order,
# a customer who did not agree to marketing, one who did.
PAGES: dict[str, set] = {
    "dashboard": set(ALL_ROLES),
    "order_list": {OW, A, SU, F},
    "pending_order": {OW, A, SU},
    "paid_order": {OW, A, SU, F},
    "customer_list": {OW, A, SU, M},
    "customer": {OW, A, SU},
    "consenting_customer": {OW, A, SU, M},
    "product_list": {OW, A, SU, F, M},
    "product_create": {OW, A},
    "payment_security": {OW, A, S},
    "audit_search": {OW, S, AU},
    "staff_list": {OW},
}
# ...and which of those in-scope refusals are a 404 (object outside the role's scope).
NOT_FOUND = {("pending_order", F), ("customer", M)}
# roles whose role allows the page kind but not this object: 404, not 403
KIND = {"pending_order": {OW, A, SU, F}, "customer": {OW, A, SU, M}}


@pytest.fixture
def world(db):
    customer = user_make(email="nope@example.test", full_name="Nora Noconsent")
    fan = user_make(email="fan@example.test", full_name="Fay Fan")
    marketing_consent_set(user=fan, agreed=True, source="test")
    pending = order_make(user=customer)
    paid = order_make(user=customer)
    order_transition(order=paid, to_status="paid")
    return {
        "dashboard": reverse("console:dashboard"),
        "order_list": reverse("console:order_list"),
        "pending_order": reverse("console:order_detail", args=[pending.reference]),
        "paid_order": reverse("console:order_detail", args=[paid.reference]),
        "customer_list": reverse("console:customer_list"),
        "customer": reverse("console:customer_detail", args=[customer.pk]),
        "consenting_customer": reverse("console:customer_detail", args=[fan.pk]),
        "product_list": reverse("console:product_list"),
        "product_create": reverse("console:product_create"),
        "payment_security": reverse("console:payment_security"),
        "audit_search": reverse("console:audit_search"),
        "staff_list": reverse("console:staff_list"),
        "_orders": (pending, paid), "_customers": (customer, fan),
    }


def _expected(page: str, role) -> int:
    if role in PAGES[page]:
        return 200
    if role in KIND.get(page, set()):
        return 404
    return 403


@pytest.mark.parametrize("role", ALL_ROLES)
def test_each_role_reaches_exactly_its_pages(world, role):
    client = console_client(staff_make(role))
    got = {page: client.get(world[page]).status_code for page in PAGES}
    assert got == {page: _expected(page, role) for page in PAGES}


def test_expected_404s_are_the_scoped_ones():
    assert {(p, r) for p in PAGES for r in ALL_ROLES if _expected(p, r) == 404} == NOT_FOUND


def test_every_console_view_declares_its_permission():
    """Each view other than the sign-in pages, the invite link, the dashboard (which
    shows what the role table allows) and what every staff member must be able to do
    (take their training, report phishing) names a permission from the table."""
    every_staff_member = {"training", "training_module", "phishing_report"}
    for pattern in console_urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        if pattern.name in {"login", "logout", "invite_accept", "dashboard",
                            *every_staff_member}:
            assert getattr(pattern.callback, "staff_required", False) or \
                pattern.name in {"login", "logout", "invite_accept"}, pattern.name
            continue
        callback = pattern.callback
        assert getattr(callback, "perm", None) is not None or pattern.name in {
            "order_refund", "refund_retry"}, pattern.name  # (can_refund inside the view)


@pytest.mark.parametrize("role", [S, AU, M, NONE])
def test_roles_without_order_access_see_no_order_data_on_the_dashboard(world, role):
    html = console_client(staff_make(role)).get(world["dashboard"]).content.decode()
    for order in world["_orders"]:
        assert order.reference not in html
    assert "Revenue" not in html and "Nora" not in html


def test_fulfilment_dashboard_lists_only_orders_awaiting_shipment(world):
    pending, paid = world["_orders"]
    html = console_client(staff_make(F)).get(world["dashboard"]).content.decode()
    assert paid.reference in html and pending.reference not in html


def test_marketing_lists_only_consenting_customers_without_addresses_or_orders(world):
    client = console_client(staff_make(M))
    html = client.get(world["customer_list"]).content.decode()
    assert "Fay Fan" in html and "Nora" not in html
    html = client.get(world["consenting_customer"]).content.decode()
    assert "Fay Fan" in html and "f•••@e•••.test" in html and "fan@example.test" not in html
    assert "Addresses" not in html and "<h2>Orders</h2>" not in html


def test_withdrawn_consent_hides_the_customer_from_marketing_again(world):
    client = console_client(staff_make(M))
    _, fan = world["_customers"]
    marketing_consent_set(user=fan, agreed=False, source="test")
    assert client.get(world["consenting_customer"]).status_code == 404
    assert "Fay Fan" not in client.get(world["customer_list"]).content.decode()


def test_fulfilment_sees_shipping_details_in_the_clear_but_no_email(world):
    _, paid = world["_orders"]
    html = console_client(staff_make(F)).get(world["paid_order"]).content.decode()
    assert "Bea Buyer" in html and "1 High Street" in html and "12345" in html
    assert "buyer@example.test" not in html and "b•••@" not in html  # hidden, not masked
    assert 'id="reveal-form"' not in html
    assert 'id="payment-panel"' not in html  # card details are not theirs to see
    assert 'value="fulfilled"' in html and 'value="cancelled"' not in html


def test_fulfilment_may_pack_and_ship_but_not_cancel(world):
    _, paid = world["_orders"]
    client = console_client(staff_make(F))
    url = reverse("console:order_status", args=[paid.reference])
    assert client.post(url, {"to_status": "cancelled"}).status_code == 403
    assert client.post(url, {"to_status": "fulfilled"}).status_code == 302
    r = client.post(url, {"to_status": "shipped"})
    assert r.status_code == 302 and r["Location"] == reverse("console:order_list")
    # shipped: no longer awaiting shipment, so out of fulfilment's sight
    assert client.get(world["paid_order"]).status_code == 404


@pytest.mark.parametrize("role", [OW, A, SU])
def test_full_scope_roles_see_contact_masked_until_revealed(world, role):
    html = console_client(staff_make(role)).get(world["pending_order"]).content.decode()
    assert "Bea Buyer" in html and "b•••@e•••.test" in html
    assert "buyer@example.test" not in html and "1 High Street" not in html
    assert 'id="reveal-form"' in html


def test_support_cannot_change_status_or_refund(world):
    pending, _ = world["_orders"]
    client = console_client(staff_make(SU))
    assert client.post(reverse("console:order_status", args=[pending.reference]),
                       {"to_status": "cancelled"}).status_code == 403
    assert client.post(reverse("console:order_refund", args=[pending.reference]),
                       {"mode": "full"}).status_code == 403
    pending.refresh_from_db()
    assert pending.status == "pending"


@pytest.mark.parametrize("role", [S, AU, M, F, NONE])
def test_roles_without_the_order_get_no_reveal_and_leave_no_trace(world, role):
    pending, _ = world["_orders"]
    customer, _ = world["_customers"]
    client = console_client(staff_make(role))
    before = AuditEntry.objects.count()
    for url in (reverse("console:order_reveal", args=[pending.reference]),
                reverse("console:customer_reveal", args=[customer.pk])):
        r = client.post(url, {"groups": ["email"], "reason": "customer_request"})
        assert r.status_code in (403, 404)
        assert b"buyer@example.test" not in r.content and b"nope@example.test" not in r.content
    assert AuditEntry.objects.count() == before


def test_reveal_asks_for_a_reason_and_offers_only_the_roles_fields(world):
    customer, fan = world["_customers"]
    client = console_client(staff_make(SU))
    url = reverse("console:customer_reveal", args=[customer.pk])
    assert client.post(url, {"groups": ["email"]}).status_code == 400  # no reason
    assert client.post(url, {"groups": ["email"], "reason": "because"}).status_code == 400
    assert client.post(url, {"reason": "customer_request"}).status_code == 400  # no field
    assert client.post(url, {"groups": ["email"], "reason": "customer_request",
                             "ticket": "<script>"}).status_code == 400
    marketing = console_client(staff_make(M))
    r = marketing.post(reverse("console:customer_reveal", args=[fan.pk]),
                       {"groups": ["phone"], "reason": "customer_request"})
    assert r.status_code == 400  # not a field marketing may reveal
    r = marketing.post(reverse("console:customer_reveal", args=[fan.pk]),
                       {"groups": ["email"], "reason": "customer_request"})
    assert r.status_code == 200 and "fan@example.test" in r.content.decode()


def test_reveal_without_recent_mfa_goes_to_the_step_up_page(world):
    customer, _ = world["_customers"]
    user = staff_make(SU)
    client = console_client(user, mfa=False)
    from strongroom.testing.staff import mfa_stamp

    mfa_stamp(client, at=0)  # verified long ago: the console opens, reveals do not
    page = reverse("console:customer_detail", args=[customer.pk])
    r = client.post(reverse("console:customer_reveal", args=[customer.pk]),
                    {"groups": ["email"], "reason": "customer_request"})
    assert r.status_code == 302
    assert r["Location"] == f"{reverse('storefront:mfa_step_up')}?next={page.replace('/', '%2F')}"
    assert not AuditEntry.objects.filter(event=2002).exists()


def test_reveal_without_a_step_up_page_says_so_instead_of_failing(world, monkeypatch):
    from strongroom.interfaces.console import permissions

    monkeypatch.setattr(permissions, "STEP_UP_URL_NAME", "storefront:no_such_page")
    customer, _ = world["_customers"]
    client = console_client(staff_make(SU))
    from strongroom.testing.staff import mfa_stamp

    mfa_stamp(client, at=0)
    r = client.post(reverse("console:customer_reveal", args=[customer.pk]),
                    {"groups": ["email"], "reason": "customer_request"})
    assert r.status_code == 403
    assert "no step-up page yet" in r.content.decode()
    assert b"nope@example.test" not in r.content


def test_refund_needs_recent_mfa(world):
    from strongroom.testing.staff import mfa_stamp

    _, paid = world["_orders"]
    client = console_client(staff_make(A))
    mfa_stamp(client, at=0)
    r = client.post(reverse("console:order_refund", args=[paid.reference]), {"mode": "full"})
    assert r.status_code == 302 and r["Location"].startswith(reverse("storefront:mfa_step_up"))


@pytest.mark.parametrize("role", [Role.OWNER, Role.SECURITY_OFFICER, Role.AUDITOR])
def test_audit_readers_see_the_audit_link(role):
    html = console_client(staff_make(role)).get(reverse("console:dashboard")).content
    assert b'href="/console/audit/"' in html

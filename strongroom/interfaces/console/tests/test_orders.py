from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from strongroom.commerce.catalog.models import Variant
from strongroom.commerce.orders.models import Order, OrderEvent
from strongroom.commerce.orders.selectors import order_stats
from strongroom.commerce.orders.services import order_transition

from . import roles_fixtures
from .conftest import order_make

pytestmark = pytest.mark.django_db
# an admin whose session has passed MFA, in place of conftest's role-less staff
staff, staff_client = roles_fixtures.staff, roles_fixtures.staff_client


def _detail(order):
    return reverse("console:order_detail", args=[order.reference])


def _status(order):
    return reverse("console:order_status", args=[order.reference])


def test_order_detail_shows_lines_totals_contact_and_next_statuses(staff_client, order):
    html = staff_client.get(_detail(order)).content.decode()
    line = order.lines.get()
    assert line.sku in html and str(order.total) in html
    assert "Bea Buyer" in html  # the name is clear to an admin...
    assert "buyer@example.test" not in html and "1 High Street" not in html  # ...the rest masked
    assert "b•••@e•••.test" in html
    assert 'value="paid"' in html and 'value="cancelled"' in html
    assert 'value="shipped"' not in html  # not allowed from pending


def test_order_contact_is_revealed_after_a_reveal_with_reason(staff_client, order):
    r = staff_client.post(reverse("console:order_reveal", args=[order.reference]),
                          {"groups": ["email", "address"], "reason": "delivery_problem",
                           "ticket": "T-100"})
    html = r.content.decode()
    assert r.status_code == 200 and r["Cache-Control"].startswith("max-age=0")
    assert "buyer@example.test" in html and "1 High Street" in html
    assert "buyer@example.test" not in staff_client.get(_detail(order)).content.decode()


def test_status_change_writes_an_event_with_the_staff_actor(staff_client, staff, order):
    response = staff_client.post(_status(order), {"to_status": "paid", "note": "bank transfer"})
    assert response.status_code == 302 and response["Location"] == _detail(order)
    order.refresh_from_db()
    assert order.status == "paid"
    event = order.events.last()
    assert (event.kind, event.from_status, event.to_status, event.actor_id, event.note) == (
        "status", "pending", "paid", staff.pk, "bank transfer")
    html = staff_client.get(_detail(order)).content.decode()
    assert "Sam Staff" in html and "is now paid" in html


def test_disallowed_transition_is_409_and_changes_nothing(staff_client, order):
    events = OrderEvent.objects.count()
    response = staff_client.post(_status(order), {"to_status": "shipped"})
    assert response.status_code == 409
    assert "cannot become shipped" in response.content.decode()
    order.refresh_from_db()
    assert order.status == "pending" and OrderEvent.objects.count() == events


def test_double_click_second_transition_is_409_not_500(staff_client, order):
    assert staff_client.post(_status(order), {"to_status": "cancelled"}).status_code == 302
    assert staff_client.post(_status(order), {"to_status": "cancelled"}).status_code == 409


def test_cancel_returns_stock(staff_client):
    order = order_make(quantity=3, stock=5)
    variant = Variant.objects.get(pk=order.lines.get().variant_id)
    assert variant.stock == 2
    staff_client.post(_status(order), {"to_status": "cancelled"})
    variant.refresh_from_db()
    assert variant.stock == 5


@pytest.mark.parametrize("data", [{"to_status": "teleported"}, {}, {"to_status": "paid",
                                                                    "note": "x" * 501}])
def test_bad_transition_input_is_400(staff_client, order, data):
    assert staff_client.post(_status(order), data).status_code == 400
    order.refresh_from_db()
    assert order.status == "pending"


def test_status_action_is_post_only(staff_client, order):
    assert staff_client.get(_status(order)).status_code == 405


@pytest.mark.parametrize("reference", ["SR-NOPE00000000", "x" * 300, "%00"])
def test_unknown_order_is_404(staff_client, reference):
    assert staff_client.get(f"/console/orders/{reference}/").status_code == 404
    assert staff_client.post(f"/console/orders/{reference}/status/",
                             {"to_status": "paid"}).status_code == 404


def test_order_list_filters_by_status_and_paginates(staff_client, staff):
    orders = [order_make() for _ in range(27)]
    order_transition(order=orders[0], to_status="paid", actor=staff)
    html = staff_client.get(reverse("console:order_list")).content.decode()
    assert html.count('href="/console/orders/SR-') == 25
    older = re.search(r'href="\?cursor=([^"]+)" rel="next"', html).group(1)
    page2 = staff_client.get(reverse("console:order_list") + f"?cursor={older}").content.decode()
    assert page2.count('href="/console/orders/SR-') == 2
    shown = set(re.findall(r'href="/console/orders/(SR-[^/]+)/"', html + page2))
    assert shown == {o.reference for o in orders}  # every order once, none skipped
    paid = staff_client.get(reverse("console:order_list") + "?status=paid").content.decode()
    assert paid.count('href="/console/orders/SR-') == 1 and orders[0].reference in paid


@pytest.mark.parametrize("query", ["?status=bogus", "?status=" + "p" * 5000])
def test_order_list_bad_filter_is_400(staff_client, query):
    assert staff_client.get(reverse("console:order_list") + query).status_code == 400


@pytest.mark.parametrize("page", ["0", "-1", "abc", "99999999999999999999"])
def test_order_list_odd_page_numbers_do_not_fail(staff_client, order, page):
    assert staff_client.get(reverse("console:order_list") + f"?page={page}").status_code == 200


def test_dashboard_figures(staff_client, staff):
    paid = order_make()
    order_transition(order=paid, to_status="paid", actor=staff)
    pending = order_make()
    old = order_make()
    Order.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=9))
    stats = order_stats()
    assert stats.orders_today == 2
    assert stats.orders_week == 2  # a 9-day-old order is never in this week
    assert stats.revenue_today == paid.total == stats.revenue_week
    assert stats.awaiting_payment == 2 and stats.to_fulfil == 1
    html = staff_client.get(reverse("console:dashboard")).content.decode()
    assert pending.reference in html and paid.reference in html


def test_dashboard_lists_low_stock_variants(staff_client):
    low = order_make(quantity=8, stock=10).lines.get()
    html = staff_client.get(reverse("console:dashboard")).content.decode()
    assert low.sku in html and "2 left" in html


def test_order_of_a_shredded_customer_reads_as_erased_not_500(staff_client, customer):
    from strongroom.protection.vault.services import subject_shred

    order = order_make(user=customer)
    subject_shred(subject_id=customer.subject_id)
    r = staff_client.get(reverse("console:order_detail", args=[order.reference]))
    html = r.content.decode()
    assert r.status_code == 200
    assert "[erased]" in html
    assert "Bea Buyer" not in html and "buyer@example.test" not in html
    # ...and the customer's pages in the console too.
    assert staff_client.get(reverse("console:customer_list")).status_code == 200
    r = staff_client.get(reverse("console:customer_detail", args=[customer.pk]))
    assert r.status_code == 200


def test_guest_order_of_a_shredded_subject_reads_as_erased(staff_client):
    from strongroom.protection.vault.services import subject_shred

    order = order_make()
    subject_shred(subject_id=order.subject_id)
    html = staff_client.get(reverse("console:order_detail", args=[order.reference])
                            ).content.decode()
    assert "[erased]" in html and "Bea Buyer" not in html


def test_order_page_fetches_keys_once(staff_client, customer,
                                      django_capture_on_commit_callbacks):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from strongroom.protection.vault.internal import runtime

    with django_capture_on_commit_callbacks(execute=True):  # keys cache after commit
        order = order_make(user=customer)
    runtime.reset()
    with CaptureQueriesContext(connection) as queries:
        html = staff_client.get(reverse("console:order_detail", args=[order.reference])
                                ).content.decode()
    assert "Bea Buyer" in html
    reads = [q for q in queries if "vault_datakey" in q["sql"] and "LIMIT 1" not in q["sql"]]
    assert len(reads) == 1  # (+ the staff member's own key for the audit event's IP)

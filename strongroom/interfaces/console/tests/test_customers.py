from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from strongroom.commerce.customers.models import Address
from strongroom.testing.factories import user_make

from .conftest import order_make

pytestmark = pytest.mark.django_db


def test_customer_list_shows_customers_with_order_counts_not_staff(staff_client, customer):
    order_make(user=customer)
    order_make(user=customer)
    html = staff_client.get(reverse("console:customer_list")).content.decode()
    assert "customer@example.test" in html
    assert "staff@example.test" not in html
    assert '<td class="num">2</td>' in html


def test_customer_list_paginates(staff_client):
    for _ in range(26):
        user_make()
    html = staff_client.get(reverse("console:customer_list")).content.decode()
    assert "Page 1 of 2" in html


def test_customer_detail_shows_profile_addresses_and_orders(staff_client, customer):
    order = order_make(user=customer)
    Address.objects.create(user=customer, full_name="Cara Customer", line1="9 Elm Road",
                           city="Shelbyville", postal_code="54321", country="DE")
    html = staff_client.get(reverse("console:customer_detail", args=[customer.pk])).content
    html = html.decode()
    assert "customer@example.test" in html and "9 Elm Road" in html
    assert order.reference in html


def test_unknown_customer_and_staff_account_are_404(staff_client, staff):
    for pk in (uuid.uuid4(), staff.pk):
        assert staff_client.get(
            reverse("console:customer_detail", args=[pk])).status_code == 404
    assert staff_client.get("/console/customers/not-a-uuid/").status_code == 404


def test_customer_detail_is_staff_only(customer_client, customer):
    url = reverse("console:customer_detail", args=[customer.pk])
    assert customer_client.get(url).status_code == 403


# --- Vault: find by email/phone (blind index), keys fetched once per page ----------------

def _address_make(user, phone: str) -> Address:
    return Address.objects.create(user=user, full_name="A Person", line1="1 Road", city="X",
                                  postal_code="1", country="DE", phone=phone)


def test_find_customer_by_exact_email_any_case(staff_client, customer):
    user_make(email="someone.else@example.test")
    r = staff_client.get(reverse("console:customer_list"), {"q": "  CUSTOMER@Example.test "})
    html = r.content.decode()
    assert r.status_code == 200
    assert "customer@example.test" in html and "someone.else@example.test" not in html


def test_find_customer_by_address_phone_ignoring_spacing(staff_client, customer):
    other = user_make(email="other@example.test")
    _address_make(customer, "+49 170 1234567")
    _address_make(other, "+49 170 7654321")
    html = staff_client.get(reverse("console:customer_list"),
                            {"q": "+49-170-123 4567"}).content.decode()
    assert "customer@example.test" in html and "other@example.test" not in html


@pytest.mark.parametrize("query", ["customer@example", "customer", "1234", "x\x00@y",
                                   "cust%@example.test"])
def test_search_is_exact_only_and_bad_input_finds_nothing(staff_client, customer, query):
    r = staff_client.get(reverse("console:customer_list"), {"q": query})
    assert r.status_code in (200, 400)
    assert "customer@example.test" not in r.content.decode()


def test_overlong_search_is_a_400(staff_client):
    r = staff_client.get(reverse("console:customer_list"), {"q": "a" * 300 + "@x.test"})
    assert r.status_code == 400


def test_customer_list_page_costs_one_key_query(staff_client,
                                                django_capture_on_commit_callbacks):
    from strongroom.protection.vault.internal import runtime

    # (new keys are cached only once their transaction commits)
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(25):
            user_make()
    runtime.reset()  # nothing cached: a cold page
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        html = staff_client.get(reverse("console:customer_list")).content.decode()
    assert html.count("@example.test") >= 25
    key_queries = [q for q in queries if "vault_datakey" in q["sql"]]
    assert len(key_queries) == 1

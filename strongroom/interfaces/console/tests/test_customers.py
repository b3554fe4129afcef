from __future__ import annotations

import re
import uuid

import pytest
from django.urls import reverse

from strongroom.commerce.customers.models import Address
from strongroom.testing.factories import user_make

from . import roles_fixtures
from .conftest import order_make

pytestmark = pytest.mark.django_db
# an admin whose session has passed MFA, in place of conftest's role-less staff
staff, staff_client = roles_fixtures.staff, roles_fixtures.staff_client


def test_customer_list_shows_customers_with_order_counts_not_staff(staff_client, staff,
                                                                  customer):
    order_make(user=customer)
    order_make(user=customer)
    html = staff_client.get(reverse("console:customer_list")).content.decode()
    assert "Cara Customer" in html and "c•••@e•••.test" in html
    assert "customer@example.test" not in html  # masked by default
    assert f'href="/console/customers/{staff.pk}/"' not in html and "s•••@" not in html
    assert '<td class="num">2</td>' in html


def test_customer_list_paginates(staff_client):
    for _ in range(26):
        user_make()
    html = staff_client.get(reverse("console:customer_list")).content.decode()
    rows = re.compile(r'href="/console/customers/[0-9a-f-]{36}/"')
    assert len(rows.findall(html)) == 25
    older = re.search(r'href="\?cursor=([^"]+)" rel="next"', html).group(1)
    page2 = staff_client.get(reverse("console:customer_list") + f"?cursor={older}")
    assert len(rows.findall(page2.content.decode())) == 1


def test_customer_detail_shows_profile_addresses_and_orders(staff_client, customer):
    order = order_make(user=customer)
    Address.objects.create(user=customer, full_name="Cara Customer", line1="9 Elm Road",
                           city="Shelbyville", postal_code="54321", country="DE")
    html = staff_client.get(reverse("console:customer_detail", args=[customer.pk])).content
    html = html.decode()
    assert "Cara Customer" in html and order.reference in html
    assert "customer@example.test" not in html and "9 Elm Road" not in html  # masked
    assert "c•••@e•••.test" in html


def test_customer_detail_reveals_after_reveal_with_reason(staff_client, customer):
    Address.objects.create(user=customer, full_name="Cara Customer", line1="9 Elm Road",
                           city="Shelbyville", postal_code="54321", country="DE")
    r = staff_client.post(reverse("console:customer_reveal", args=[customer.pk]),
                          {"groups": ["email", "address"], "reason": "customer_request"})
    html = r.content.decode()
    assert r.status_code == 200
    assert "customer@example.test" in html and "9 Elm Road" in html
    # ...for that response only: the next view is masked again.
    html = staff_client.get(reverse("console:customer_detail", args=[customer.pk])).content
    assert b"customer@example.test" not in html and b"9 Elm Road" not in html


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
    user_make(email="someone.else@example.test", full_name="Someone Else")
    r = staff_client.get(reverse("console:customer_list"), {"q": "  CUSTOMER@Example.test "})
    html = r.content.decode()
    assert r.status_code == 200
    assert "Cara Customer" in html and "Someone Else" not in html


def test_find_customer_by_address_phone_ignoring_spacing(staff_client, customer):
    other = user_make(email="other@example.test", full_name="Otto Other")
    _address_make(customer, "+49 170 1234567")
    _address_make(other, "+49 170 7654321")
    html = staff_client.get(reverse("console:customer_list"),
                            {"q": "+49-170-123 4567"}).content.decode()
    assert "Cara Customer" in html and "Otto Other" not in html


@pytest.mark.parametrize("query", ["customer@example", "customer", "1234", "x\x00@y",
                                   "cust%@example.test"])
def test_search_is_exact_only_and_bad_input_finds_nothing(staff_client, customer, query):
    r = staff_client.get(reverse("console:customer_list"), {"q": query})
    assert r.status_code in (200, 400)
    assert "Cara Customer" not in r.content.decode()


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
    assert html.count("@e•••.test") >= 25
    key_queries = [q for q in queries if "vault_datakey" in q["sql"]]
    # One query reads every key the page decrypts with; recording the 25 CUSTOMER_VIEWED
    # events adds one: the staff member's own key, under which the audit log encrypts
    # their IP address (fetched once, not per event).
    reads = [q for q in key_queries if "LIMIT 1" not in q["sql"]]
    assert len(reads) == 1 and len(key_queries) <= 2

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

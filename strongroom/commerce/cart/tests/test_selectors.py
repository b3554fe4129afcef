"""``cart_summary_find`` (the cart page's one query) says what ``cart_summary`` says."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from strongroom.commerce.cart import selectors, services
from strongroom.testing.factories import product_make, user_make

pytestmark = pytest.mark.django_db


def test_lines_in_the_order_added_with_what_cart_summary_shows():
    first, second = product_make(price="2.00"), product_make(price="5.25", stock=1)
    cart, token = services.cart_create()
    services.cart_line_add(cart=cart, variant_id=second.variants.get().pk, quantity=1)
    services.cart_line_add(cart=cart, variant_id=first.variants.get().pk, quantity=3)
    second.is_active = False
    second.save()
    with CaptureQueriesContext(connection) as queries:
        found = selectors.cart_summary_find(token=token)
    assert len(queries.captured_queries) == 1
    assert found.user_id is None
    assert found.summary == selectors.cart_summary(cart=cart)
    assert [i.product_slug for i in found.summary.items] == [second.slug, first.slug]
    assert found.summary.items[0].available is False
    assert str(found.summary.subtotal) == "11.25"


def test_an_empty_cart_is_found_and_empty():
    _, token = services.cart_create()
    found = selectors.cart_summary_find(token=token)
    assert found is not None and found.summary.is_empty


@pytest.mark.parametrize("token", [None, "", "nope", "a" * 10_000])
def test_no_cart_for_a_wrong_token(token):
    services.cart_create()
    assert selectors.cart_summary_find(token=token) is None


def test_an_account_cart_says_whose_it_is():
    user = user_make()
    cart, token = services.cart_create(user=user)
    services.cart_line_add(cart=cart, variant_id=product_make().variants.get().pk, quantity=2)
    by_user = selectors.cart_summary_find(user=user)
    assert by_user.user_id == user.pk and by_user.summary.count == 2
    # A token that opens an account's cart names the account: the page drops it.
    assert selectors.cart_summary_find(token=token).user_id == user.pk
    assert selectors.cart_summary_find(user=user_make()) is None

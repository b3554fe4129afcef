import pytest

from strongroom.commerce.cart import selectors, services
from strongroom.commerce.cart.errors import CartError
from strongroom.commerce.catalog.errors import ProductNotFound
from strongroom.testing.factories import product_make, user_make

pytestmark = pytest.mark.django_db


def _variant(stock=5, price="3.50"):
    return product_make(stock=stock, price=price).variants.get()


def test_token_opens_only_its_cart_and_is_stored_hashed():
    cart, token = services.cart_create()
    assert selectors.cart_by_token(token=token) == cart
    assert cart.token_hash != token and token not in cart.token_hash
    assert selectors.cart_by_token(token=token + "x") is None
    assert selectors.cart_by_token(token="") is None
    assert selectors.cart_by_token(token="a" * 10_000) is None


def test_add_and_set_lines_and_summary_totals():
    v = _variant(price="3.50")
    cart, _ = services.cart_create()
    services.cart_line_add(cart=cart, variant_id=v.pk, quantity=2)
    services.cart_line_add(cart=cart, variant_id=v.pk, quantity=1)
    summary = selectors.cart_summary(cart=cart)
    assert summary.count == 3
    assert str(summary.subtotal) == "10.50"
    services.cart_line_set(cart=cart, variant_id=v.pk, quantity=1)
    assert selectors.cart_summary(cart=cart).count == 1
    services.cart_line_remove(cart=cart, variant_id=v.pk)
    assert selectors.cart_summary(cart=cart).is_empty


@pytest.mark.parametrize("quantity", [0, -1, 100, 10**12, "2", 1.5, True, None])
def test_bad_quantities_are_refused(quantity):
    v = _variant(stock=500)
    cart, _ = services.cart_create()
    with pytest.raises(CartError) as exc:
        services.cart_line_set(cart=cart, variant_id=v.pk, quantity=quantity)
    assert exc.value.code == "invalid_quantity"
    assert not cart.lines.exists()


def test_more_than_stock_is_refused():
    v = _variant(stock=2)
    cart, _ = services.cart_create()
    with pytest.raises(CartError) as exc:
        services.cart_line_set(cart=cart, variant_id=v.pk, quantity=3)
    assert exc.value.code == "insufficient_stock"


@pytest.mark.parametrize("variant_id", [999_999, -1, "abc", None])
def test_unknown_variant_is_not_found(variant_id):
    cart, _ = services.cart_create()
    with pytest.raises(ProductNotFound):
        services.cart_line_set(cart=cart, variant_id=variant_id, quantity=1)


def test_inactive_product_cannot_be_added():
    product = product_make()
    product.is_active = False
    product.save()
    cart, _ = services.cart_create()
    with pytest.raises(ProductNotFound):
        services.cart_line_set(cart=cart, variant_id=product.variants.get().pk, quantity=1)


def test_merge_at_login_adds_quantities_and_kills_anonymous_token():
    a, b = _variant(stock=200), _variant(stock=200)
    user = user_make()
    own, _ = services.cart_create(user=user)
    services.cart_line_set(cart=own, variant_id=a.pk, quantity=95)
    anon, token = services.cart_create()
    services.cart_line_set(cart=anon, variant_id=a.pk, quantity=10)
    services.cart_line_set(cart=anon, variant_id=b.pk, quantity=2)
    merged = services.cart_merge_into_user(cart=anon, user=user)
    assert merged == own
    quantities = {i.variant_id: i.quantity for i in selectors.cart_summary(cart=own).items}
    assert quantities == {a.pk: 99, b.pk: 2}  # capped at the per-line maximum
    assert selectors.cart_by_token(token=token) is None


def test_merge_adopts_anonymous_cart_when_account_has_none():
    v = _variant()
    user = user_make()
    anon, token = services.cart_create()
    services.cart_line_set(cart=anon, variant_id=v.pk, quantity=1)
    merged = services.cart_merge_into_user(cart=anon, user=user)
    assert merged.pk == anon.pk
    assert selectors.cart_for_user(user=user).pk == anon.pk
    assert selectors.cart_by_token(token=token) is None

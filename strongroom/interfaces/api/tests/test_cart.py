from __future__ import annotations

import pytest

from strongroom.commerce.cart.errors import MAX_LINE_QUANTITY
from strongroom.commerce.cart.models import Cart, CartLine
from strongroom.protection.accounts.tokens import api_token_create

from .conftest import PASSWORD, assert_error, make_product, make_user

pytestmark = pytest.mark.django_db


def test_guest_cart_round_trip(api, variant, cart_token):
    body = api.get("/api/cart", cart=cart_token).json()
    assert body["items"] == [] and body["count"] == 0 and body["subtotal"] == "0.00"

    body = api.post("/api/cart/lines", {"variant_id": variant.pk, "quantity": 2},
                    cart=cart_token).json()
    assert body["count"] == 2 and body["subtotal"] == "40.00"
    item = body["items"][0]
    assert item["variant_id"] == variant.pk and item["unit_price"] == "20.00"
    assert item["line_total"] == "40.00" and item["available"] is True

    body = api.put(f"/api/cart/lines/{variant.pk}", {"quantity": 3}, cart=cart_token).json()
    assert body["count"] == 3
    body = api.post("/api/cart/lines", {"variant_id": variant.pk}, cart=cart_token).json()
    assert body["count"] == 4  # default quantity 1, added to the line

    response = api.delete(f"/api/cart/lines/{variant.pk}", cart=cart_token)
    assert response.status_code == 200 and response.json()["items"] == []
    # Removing what is not there is fine (idempotent).
    assert api.delete(f"/api/cart/lines/{variant.pk}", cart=cart_token).status_code == 200


def test_create_returns_a_token_only_once_hashed(api, db):
    response = api.post("/api/cart")
    assert response.status_code == 201
    raw = response.json()["cart_token"]
    assert len(raw) >= 40
    assert not Cart.objects.filter(token_hash=raw).exists()


def test_customer_cart_with_bearer(api, user, token, variant):
    body = api.get("/api/cart", token=token).json()
    assert body["items"] == []
    api.post("/api/cart/lines", {"variant_id": variant.pk, "quantity": 1}, token=token)
    assert Cart.objects.get(user=user).lines.get().quantity == 1
    assert api.get("/api/cart", token=token).json()["count"] == 1


def test_login_merges_the_guest_cart(api, user, variant, cart_token):
    api.post("/api/cart/lines", {"variant_id": variant.pk, "quantity": 2}, cart=cart_token)
    response = api.post("/api/auth/token", {"email": user.email, "password": PASSWORD},
                        cart=cart_token)
    token = response.json()["token"]
    assert api.get("/api/cart", token=token).json()["count"] == 2
    # The guest token no longer opens what is now the customer's cart.
    assert_error(api.get("/api/cart", cart=cart_token), 401, "invalid_cart_token")


def test_one_customer_cannot_reach_another_customers_cart(api, user, token, variant):
    api.post("/api/cart/lines", {"variant_id": variant.pk, "quantity": 2}, token=token)
    other_token = api_token_create(user=make_user())[1]
    assert api.get("/api/cart", token=other_token).json()["items"] == []


def test_no_credentials_is_401(api, variant):
    assert_error(api.get("/api/cart"), 401)
    assert_error(api.post("/api/cart/lines", {"variant_id": variant.pk}), 401)


@pytest.mark.parametrize("bad", ["nope", "x" * 500, "", " "])
def test_unknown_or_tampered_cart_token_is_401_on_every_operation(api, variant, cart_token,
                                                                 bad):
    """A credential that opens nothing is a 401, as the OpenAPI document says (not 404)."""
    tampered = cart_token[:-1] + ("A" if cart_token[-1] != "A" else "B")
    for token in (bad, tampered):
        for response in (
            api.get("/api/cart", cart=token),
            api.post("/api/cart/lines", {"variant_id": variant.pk}, cart=token),
            api.put(f"/api/cart/lines/{variant.pk}", {"quantity": 2}, cart=token),
            api.delete(f"/api/cart/lines/{variant.pk}", cart=token),
        ):
            error = assert_error(response, 401)
            assert response["WWW-Authenticate"]
            if token.strip():
                assert error["code"] == "invalid_cart_token"
    assert not CartLine.objects.exists()


def test_a_json_integer_with_a_zero_fraction_is_an_integer(api, variant, cart_token):
    """JSON Schema's "integer" includes 2.0; the document says integer, so it is accepted."""
    response = api.post("/api/cart/lines", {"variant_id": float(variant.pk), "quantity": 2.0},
                        cart=cart_token)
    assert response.status_code == 200, response.content
    response = api.put(f"/api/cart/lines/{variant.pk}", {"quantity": 3.0}, cart=cart_token)
    assert response.status_code == 200, response.content
    assert response.json()["count"] == 3


def test_invalid_bearer_does_not_fall_back_to_the_cart_token(api, variant, cart_token):
    response = api.post("/api/cart/lines", {"variant_id": variant.pk},
                        cart=cart_token, token="sr_forged")
    assert_error(response, 401)
    assert not CartLine.objects.exists()


@pytest.mark.parametrize("quantity", [0, -1, MAX_LINE_QUANTITY + 1, 10**30, 1.5, "2", True,
                                      None, [1], {"n": 1}])
def test_bad_quantities_are_refused(api, variant, cart_token, quantity):
    response = api.post("/api/cart/lines", {"variant_id": variant.pk, "quantity": quantity},
                        cart=cart_token)
    error = assert_error(response, 422, "validation_error", "quantity")
    assert error["details"][0]["field"] == "quantity"
    response = api.put(f"/api/cart/lines/{variant.pk}", {"quantity": quantity},
                       cart=cart_token)
    assert_error(response, 422, "validation_error", "quantity")
    assert not CartLine.objects.exists()


@pytest.mark.parametrize("variant_id", [0, -5, 2**63, 10**40, "abc", 1.5, None])
def test_bad_variant_ids_are_refused(api, cart_token, db, variant_id):
    response = api.post("/api/cart/lines", {"variant_id": variant_id, "quantity": 1},
                        cart=cart_token)
    assert_error(response, 422, "validation_error", "variant_id")


@pytest.mark.parametrize("path_id", ["0", "-1", "abc", "9" * 40, "1.5"])
def test_bad_variant_ids_in_the_path_are_refused(api, cart_token, db, path_id):
    response = api.put(f"/api/cart/lines/{path_id}", {"quantity": 1}, cart=cart_token)
    assert response.status_code in {404, 422}
    assert_error(response, response.status_code)
    response = api.delete(f"/api/cart/lines/{path_id}", cart=cart_token)
    assert_error(response, response.status_code)
    assert response.status_code in {404, 422}


def test_unknown_and_inactive_variants_are_404(api, product, variant, cart_token):
    assert_error(api.post("/api/cart/lines", {"variant_id": 999_999}, cart=cart_token),
                 404, "variant_not_found")
    product.is_active = False
    product.save()
    assert_error(api.put(f"/api/cart/lines/{variant.pk}", {"quantity": 1}, cart=cart_token),
                 404, "variant_not_found")


def test_more_than_in_stock_is_refused(api, variant, cart_token):
    error = assert_error(api.put(f"/api/cart/lines/{variant.pk}", {"quantity": 6},
                                 cart=cart_token), 400, "insufficient_stock", "quantity")
    assert "5" in error["message"]
    sold_out = make_product(stock=0).variants.get()
    assert_error(api.post("/api/cart/lines", {"variant_id": sold_out.pk}, cart=cart_token),
                 400, "insufficient_stock")


def test_line_total_cap_on_add(api, cart_token):
    big = make_product(stock=500).variants.get()
    api.put(f"/api/cart/lines/{big.pk}", {"quantity": MAX_LINE_QUANTITY}, cart=cart_token)
    assert_error(api.post("/api/cart/lines", {"variant_id": big.pk}, cart=cart_token),
                 400, "invalid_quantity")

from __future__ import annotations

import pytest

from strongroom.protection.accounts.tokens import api_token_create

from .conftest import ADDRESS, assert_error, make_user

pytestmark = pytest.mark.django_db


def _place(api, token, variant, quantity=1) -> str:
    api.post("/api/cart/lines", {"variant_id": variant.pk, "quantity": quantity}, token=token)
    response = api.post("/api/checkout", ADDRESS, token=token)
    assert response.status_code == 201
    return response.json()["reference"]


def test_list_and_detail(api, token, variant):
    first = _place(api, token, variant)
    second = _place(api, token, variant, quantity=2)
    body = api.get("/api/orders", token=token).json()
    assert [o["reference"] for o in body["items"]] == [second, first]
    assert body["total"] == 2 and body["items"][0]["item_count"] == 2
    assert body["items"][0]["status_label"] == "Awaiting payment"
    detail = api.get(f"/api/orders/{first}", token=token).json()
    assert detail["reference"] == first and detail["email"] == ADDRESS["email"]
    assert detail["lines"][0]["quantity"] == 1


def test_another_customers_order_is_404_like_a_missing_one(api, token, variant):
    reference = _place(api, token, variant)
    intruder = api_token_create(user=make_user())[1]
    not_yours = api.get(f"/api/orders/{reference}", token=intruder)
    missing = api.get("/api/orders/SR-000000000000", token=intruder)
    assert_error(not_yours, 404, "order_not_found")
    assert not_yours.json() == missing.json()
    assert api.get("/api/orders", token=intruder).json()["items"] == []


def test_guest_orders_are_not_listed_to_anyone(api, token, variant, cart_token):
    api.post("/api/cart/lines", {"variant_id": variant.pk}, cart=cart_token)
    reference = api.post("/api/checkout", ADDRESS, cart=cart_token).json()["reference"]
    assert_error(api.get(f"/api/orders/{reference}", token=token), 404)


def test_orders_need_a_bearer_token(api, variant, cart_token):
    assert_error(api.get("/api/orders"), 401)
    assert_error(api.get("/api/orders", cart=cart_token), 401)
    assert_error(api.get("/api/orders/SR-000000000000"), 401)


def test_revoked_token_is_401(api, user, token, variant):
    reference = _place(api, token, variant)
    assert api.delete("/api/auth/token", token=token).status_code == 204
    assert_error(api.get(f"/api/orders/{reference}", token=token), 401)
    assert_error(api.get("/api/orders", token=token), 401)


@pytest.mark.parametrize("reference", ["x" * 5000, "SR-%00", "../../etc", "' OR 1=1 --"])
def test_odd_references_are_404(api, token, reference):
    assert_error(api.get(f"/api/orders/{reference}", token=token), 404)


def test_orders_page_out_of_range(api, token):
    assert_error(api.get("/api/orders?page=2", token=token), 404, "page_not_found")
    assert_error(api.get("/api/orders?page=-1", token=token), 422, "validation_error", "page")

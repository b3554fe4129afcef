"""Every failure, whatever its cause, answers in the one error shape and never 500."""

from __future__ import annotations

import pytest
from django.conf import settings

from strongroom.commerce.cart.models import CartLine

from .conftest import assert_error

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("raw", ['{"variant_id": 1,', "not json", "\xff\xfe", "[1, 2]",
                                 '"a string"', "null", "1e999999", '{"a":' * 5000])
def test_broken_or_odd_json(api, cart_token, raw):
    response = api.post("/api/cart/lines", raw=raw, cart=cart_token)
    assert response.status_code in {400, 422}
    assert_error(response, response.status_code)
    assert not CartLine.objects.exists()


def test_broken_json_is_400(api, cart_token):
    assert_error(api.post("/api/cart/lines", raw="{oops", cart=cart_token), 400,
                 "invalid_json")


def test_invalid_utf8_is_400(api, cart_token):
    assert_error(api.post("/api/cart/lines", raw=b'{"variant_id": "\xff"}', cart=cart_token),
                 400, "invalid_json")


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded",
                                          "multipart/form-data; boundary=xx", "application/xml"])
def test_wrong_content_type_is_415(api, variant, cart_token, content_type):
    body = f'{{"variant_id": {variant.pk}, "quantity": 1}}'
    response = api.post("/api/cart/lines", raw=body, cart=cart_token,
                        content_type=content_type)
    assert_error(response, 415, "unsupported_media_type")
    assert not CartLine.objects.exists()


def test_json_with_charset_is_fine(api, variant, cart_token):
    response = api.post("/api/cart/lines", {"variant_id": variant.pk}, cart=cart_token,
                        content_type="application/json; charset=utf-8")
    assert response.status_code == 200


def test_oversized_body_is_413(api, cart_token):
    big = '{"variant_id": 1, "pad": "' + "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE + '"}'
    assert_error(api.post("/api/cart/lines", raw=big, cart=cart_token), 413,
                 "payload_too_large")
    assert_error(api.post("/api/auth/token", raw=big), 413)


def test_missing_body(api, cart_token):
    error = assert_error(api.post("/api/cart/lines", cart=cart_token), 422, "validation_error")
    assert error["details"][0]["message"] == "A JSON request body is required."


def test_unknown_endpoint_and_method(api, db):
    assert_error(api.get("/api/nope"), 404, "not_found")
    assert_error(api.post("/api/nope", {}), 404, "not_found")
    assert_error(api.get("/api/cart/"), 404)
    response = api.call("patch", "/api/cart", {})
    assert_error(response, 405, "method_not_allowed")
    assert "POST" in response["Allow"]
    assert_error(api.delete("/api/catalog/categories"), 405)


def test_unexpected_errors_are_500_in_shape_without_details(api, db, monkeypatch):
    from strongroom.commerce.catalog import selectors

    def boom():
        raise RuntimeError("secret internals")

    monkeypatch.setattr(selectors, "category_list", boom)
    response = api.get("/api/catalog/categories")
    error = assert_error(response, 500, "server_error")
    assert "secret" not in response.content.decode()
    assert error["details"] == []


@pytest.mark.parametrize("path", ["/api/catalog/products?q=a%00b",
                                  "/api/catalog/products?category=a%00",
                                  "/api/catalog/products/a%00b", "/api/orders/SR-%00"])
def test_nul_bytes_in_the_url_are_4xx(api, token, path):
    response = api.get(path, token=token)
    assert response.status_code in {404, 422}
    assert_error(response, response.status_code)


def test_nul_bytes_in_bodies_are_422(api, filled_cart_token):
    from .conftest import ADDRESS

    assert_error(api.post("/api/auth/token", {"email": "a\x00@example.test", "password": "x"}),
                 422, "validation_error", "email")
    assert_error(api.post("/api/checkout", {**ADDRESS, "city": "Spring\x00field"},
                          cart=filled_cart_token), 422, "validation_error", "city")


@pytest.mark.parametrize("path", ["/api/cart/lines", "/payments/webhooks/sandbox/",
                                  "/payments/webhooks/stripe/"])
def test_a_body_over_1_mb_is_the_json_413_everywhere_a_machine_calls(api, cart_token, path):
    response = api.post(path, raw=b'{"x": "' + b"a" * (1024 * 1024 + 1) + b'"}',
                        cart=cart_token)
    assert_error(response, 413, "payload_too_large")

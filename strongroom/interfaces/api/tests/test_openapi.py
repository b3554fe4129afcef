from __future__ import annotations

import pytest
from openapi_spec_validator import validate

pytestmark = pytest.mark.django_db

BODY_ERRORS = {"400", "413", "415", "422"}


@pytest.fixture
def spec(api):
    response = api.get("/api/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_openapi_document_is_valid(spec):
    validate(spec)
    assert spec["info"]["title"] == "Strongroom API v1.0.0"
    assert set(spec["paths"]) == {
        "/api/catalog/categories", "/api/catalog/products", "/api/catalog/products/{slug}",
        "/api/auth/token", "/api/cart", "/api/cart/lines", "/api/cart/lines/{variant_id}",
        "/api/checkout", "/api/checkout/shipping-methods", "/api/orders",
        "/api/orders/{reference}", "/api/privacy/consents",
    }


def test_every_operation_documents_its_errors(spec):
    for path, item in spec["paths"].items():
        for method, op in item.items():
            responses = set(op["responses"])
            where = f"{method.upper()} {path}"
            if op.get("security"):
                assert "401" in responses, where
            if "requestBody" in op:
                assert BODY_ERRORS <= responses, where
            if "{" in path:
                assert "404" in responses, where
            for status, response in op["responses"].items():
                if status.startswith(("4", "5")):
                    ref = response["content"]["application/json"]["schema"]["$ref"]
                    assert ref.endswith("/Error"), where


def test_security_schemes_are_header_only(spec):
    schemes = spec["components"]["securitySchemes"]
    assert schemes["BearerToken"] == {"type": "http", "scheme": "bearer"}
    assert schemes["CartToken"] == {"type": "apiKey", "in": "header", "name": "X-Cart-Token"}
    assert all(s.get("in") != "cookie" for s in schemes.values())


def test_docs_page_is_served_from_our_origin(api):
    response = api.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    nonce = response["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    assert html.count(f'nonce="{nonce}"') == 2
    assert "cdn" not in html.lower() and "https://" not in html
    assert 'id="swagger-settings"' in html

from __future__ import annotations

import re

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
        "/api/", "/api/catalog/categories", "/api/catalog/products", "/api/catalog/products/{slug}",
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


def _strings(schema: dict, spec: dict):
    if "$ref" in schema:
        yield from _strings(spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]],
                            spec)
        return
    if schema.get("type") == "string":
        yield schema
    for sub in [*schema.get("properties", {}).values(), *schema.get("anyOf", [])]:
        yield from _strings(sub, spec)


def test_every_input_string_documents_that_nul_is_refused(spec, api, cart_token):
    """A NUL byte is refused with a 422 (PostgreSQL cannot store it); the document says so
    with a pattern on every string a client sends, so a 422 for it is documented."""
    seen = 0
    for item in spec["paths"].values():
        for op in item.values():
            schemas = [p["schema"] for p in op.get("parameters", []) if p["in"] == "query"]
            if "requestBody" in op:
                schemas.append(op["requestBody"]["content"]["application/json"]["schema"])
            for schema in schemas:
                for string in _strings(schema, spec):
                    seen += 1
                    assert "pattern" in string, string
                    assert not re.fullmatch(string["pattern"].replace("\\u0000", "\\x00"),
                                            "a\x00b")
    assert seen >= 14
    response = api.post("/api/auth/token", {"email": "a\x00@example.test", "password": "x"})
    assert response.status_code == 422
    assert "422" in spec["paths"]["/api/auth/token"]["post"]["responses"]


def test_api_root_is_an_index_of_real_links(api):
    response = api.get("/api/")
    assert response.status_code == 200
    body = response.json()
    for link in (body["openapi"], body["docs"], *body["endpoints"].values()):
        assert api.get(link).status_code != 404, link


def test_docs_answer_with_and_without_a_slash(api):
    assert api.get("/api/docs").status_code == 200
    response = api.get("/api/docs/")
    assert response.status_code == 301
    assert response["Location"] == "/api/docs"

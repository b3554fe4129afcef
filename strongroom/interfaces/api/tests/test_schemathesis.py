"""The OpenAPI document and the API's answers agree: schemathesis generates requests from
the document (valid and invalid ones) for every operation and checks each answer against
it (documented status, content type, body schema, no 500, valid data accepted, invalid
data refused). A bounded run, in-process through Django's WSGI handler and the whole
middleware stack, on the test database (SQLite or PostgreSQL, thrown away afterwards).

A guest cart token and a customer's bearer token are supplied so the operations behind
authentication are reached, not only their 401."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.generation.modes import GenerationMode

from strongroom.commerce.cart.services import cart_create
from strongroom.protection.accounts.tokens import api_token_create

from .conftest import make_product, make_user

pytestmark = pytest.mark.django_db

MAX_EXAMPLES = 10
BASE_URL = "https://localhost"


@pytest.fixture
def _connections_kept(db):
    """Like Django's test client: the test's transaction must outlive each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(_connections_kept):
    make_product(name="Green tea", price="4.50", stock=50)
    # Over "https" in the WSGI environ: the store redirects plain HTTP.
    return schemathesis.openapi.from_wsgi("/api/openapi.json", WSGIHandler(),
                                          base_url=BASE_URL)


@pytest.fixture
def credentials(db):
    _, raw_cart = cart_create()
    _, raw_token = api_token_create(user=make_user())
    return {"cart": raw_cart, "bearer": raw_token}


def _run(operation, mode: GenerationMode, credentials: dict) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck), phases=[Phase.generate, Phase.shrink])
    def check(case) -> None:
        headers = {}
        if operation.path.startswith(("/api/cart", "/api/checkout")):
            headers["X-Cart-Token"] = credentials["cart"]
        elif operation.path.startswith("/api/orders"):
            headers["Authorization"] = f"Bearer {credentials['bearer']}"
        case.call_and_validate(base_url=BASE_URL, headers=headers)

    check()


def test_the_api_answers_as_its_openapi_document_says(api_schema, credentials):
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 13
    failures, unconstrained = [], []
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                _run(operation, mode, credentials)
            except Unsatisfiable:
                # Nothing to make invalid: no input, or only unconstrained strings.
                assert mode is GenerationMode.NEGATIVE, operation.label
                unconstrained.append(operation.label)
            except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - collect all
                failures.append(f"{operation.label} [{mode}]: {exc}")
    assert not failures, "\n\n".join(failures)
    # Every operation that takes a body was also sent invalid ones.
    assert not {"POST /api/cart/lines", "POST /api/checkout", "POST /api/auth/token"} & set(
        unconstrained)

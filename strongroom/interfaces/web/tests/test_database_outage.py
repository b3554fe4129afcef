"""A database outage is a 503 with Retry-After (page and API), not a 500, and the store
recovers by itself once the database is back. The outage is real: the connection's
settings point at a PostgreSQL port where nothing listens (or, on SQLite, at a file that
cannot be opened), so the real driver fails the way it does in production."""

from __future__ import annotations

import logging
import socket
from contextlib import contextmanager

import pytest
from django.db import connection
from django.test import Client

from strongroom.protection.accounts.tokens import api_token_create
from strongroom.testing.factories import user_make

pytestmark = pytest.mark.django_db(transaction=True)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def database_down():
    saved = dict(connection.settings_dict)
    connection.close()
    if connection.vendor == "sqlite":
        connection.settings_dict["NAME"] = "/nonexistent-strongroom-dir/db.sqlite3"
    else:
        connection.settings_dict["HOST"] = "127.0.0.1"
        connection.settings_dict["PORT"] = str(_closed_port())
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


def _signed_in_client() -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user_make(email="outage@example.test"))
    return client


def test_pages_answer_503_with_retry_after_while_the_database_is_down_then_recover(caplog):
    client = _signed_in_client()
    assert client.get("/account/", secure=True).status_code == 200
    with database_down(), caplog.at_level(logging.WARNING):
        for _ in range(3):
            response = client.get("/account/", secure=True)
            assert response.status_code == 503
            assert response["Retry-After"] == "30"
            body = response.content.decode()
            assert "briefly unavailable" in body
            assert "Traceback" not in body and "OperationalError" not in body
    # One warning line for the outage, no ERROR record with a traceback per request.
    outage = [r for r in caplog.records if r.name == "strongroom.database"]
    assert len(outage) == 1 and outage[0].levelno == logging.WARNING
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    # Back: the next request reconnects by itself.
    assert client.get("/account/", secure=True).status_code == 200


def test_api_answers_503_json_while_the_database_is_down():
    user = user_make(email="api-outage@example.test")
    token = api_token_create(user=user, name="tests")[1]
    client = Client(raise_request_exception=False)
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/orders", secure=True, headers=headers).status_code == 200
    with database_down():
        response = client.get("/api/orders", secure=True, headers=headers)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response.json()["error"]["code"] == "service_unavailable"
    assert client.get("/api/orders", secure=True, headers=headers).status_code == 200


def _wsgi_get(path: str) -> int:
    """A request through Django's real WSGI handler, as granian calls it (the test
    client disconnects the close-old-connections signal, so it cannot show this)."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.test import RequestFactory

    environ = RequestFactory()._base_environ(PATH_INFO=path, REQUEST_METHOD="GET",
                                            **{"wsgi.url_scheme": "https"})
    status: list[str] = []
    body = WSGIHandler()(environ, lambda s, h, *a: status.append(s))
    b"".join(body)
    body.close()  # request_finished: where a per-request connection is closed
    return int(status[0].split()[0])


@pytest.mark.postgres_only
def test_postgres_connections_persist_across_requests():
    """CONN_MAX_AGE takes effect: requests run on the same server backend. With 0 (what
    the settings silently had before) each request opens a new connection."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    assert connection.settings_dict["CONN_MAX_AGE"] == 60
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True

    def backend_pid() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            return cursor.fetchone()[0]

    before = backend_pid()
    assert _wsgi_get("/") == 200
    assert _wsgi_get("/") == 200
    assert backend_pid() == before
    connection.settings_dict["CONN_MAX_AGE"] = 0  # read when a connection opens
    connection.close()
    try:
        per_request = backend_pid()
        assert _wsgi_get("/") == 200
        assert backend_pid() != per_request  # so the check above can fail
    finally:
        connection.settings_dict["CONN_MAX_AGE"] = 60
        connection.close()

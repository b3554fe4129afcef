"""Browser-side defences on every response: HSTS, a strict CSP with a fresh nonce per
request, no framing, no sniffing, secure cookies, HTTP sent to HTTPS — and a deploy
check that finds nothing to warn about."""

from __future__ import annotations

import base64
import io
import re
import secrets

import pytest
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core import checks
from django.core.management import call_command
from django.test import Client

pytestmark = [pytest.mark.django_db, pytest.mark.urls("strongroom.interfaces.web.tests.urls")]

NONCE = re.compile(r"script-src 'nonce-([A-Za-z0-9_-]{16,})' 'strict-dynamic'")


class HttpsClient(Client):
    """Every request over HTTPS. (``client.defaults["wsgi.url_scheme"]`` is not enough:
    the ``secure=False`` default of each request method overrides it.)"""

    def generic(self, *args, secure: bool = True, **kwargs):  # noqa: ANN002, ANN003, ANN201
        return super().generic(*args, secure=True, **kwargs)


@pytest.fixture
def https() -> Client:
    return HttpsClient()


def assert_secure_headers(response) -> None:  # noqa: ANN001 - a test-client response
    headers = response.headers
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    csp = headers["Content-Security-Policy"]
    assert NONCE.search(csp), csp
    for directive in ("default-src 'self'", "object-src 'none'", "base-uri 'none'",
                      "frame-ancestors 'none'", "form-action 'self'"):
        assert directive in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in headers["Permissions-Policy"]
    assert "geolocation=()" in headers["Permissions-Policy"]


def test_probe_page_carries_every_header(https: Client) -> None:
    assert_secure_headers(https.get("/_probe/page/"))


@pytest.mark.parametrize("path", ["/", "/account/login/", "/console/", "/api/",
                                  "/no-such-page/", "/api/no-such-endpoint/"])
def test_real_pages_carry_every_header(https: Client, path: str) -> None:
    response = https.get(path)
    assert response.status_code < 500
    assert_secure_headers(response)


def test_static_files_carry_every_header(https: Client) -> None:
    response = https.get(staticfiles_storage.url("strongroom/store.css"))
    assert response.status_code == 200
    assert_secure_headers(response)


def test_nonce_is_fresh_each_request_and_matches_the_page(https: Client) -> None:
    nonces = []
    for _ in range(3):
        response = https.get("/_probe/page/")
        nonce = NONCE.search(response.headers["Content-Security-Policy"]).group(1)
        assert f'<script nonce="{nonce}" src="/static/probe.js">' in response.content.decode()
        nonces.append(nonce)
    assert len(set(nonces)) == 3


def test_cookies_are_secure_httponly_samesite_host_only(https: Client) -> None:
    response = https.get("/_probe/session/")
    assert {"__Host-sessionid", "__Host-csrftoken"} <= set(response.cookies)
    for name in ("__Host-sessionid", "__Host-csrftoken"):
        morsel = response.cookies[name]
        assert morsel["secure"] is True, name
        assert morsel["httponly"] is True, name
        assert morsel["samesite"] == "Lax", name
        # The __Host- prefix only holds with Path=/ and no Domain: no sibling subdomain
        # can plant or read it.
        assert morsel["path"] == "/" and not morsel["domain"], name


@pytest.mark.parametrize("path", ["/", "/account/login/?next=/cart/", "/_probe/page/"])
def test_plain_http_is_redirected_to_https(client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 301
    assert response["Location"] == f"https://testserver{path}"
    assert not response.cookies


@pytest.mark.django_db
def test_deploy_check_has_nothing_to_say(settings) -> None:
    """Production settings (debug off, strong secret, a key-encryption key configured,
    tasks left to a worker that is running)."""
    import dataclasses

    from django.utils import timezone

    from strongroom.jobs.models import WorkerBeat

    assert settings.DEBUG is False
    settings.STRONGROOM_KEK = base64.b64encode(secrets.token_bytes(32)).decode()
    settings.STRONGROOM_JOBS = dataclasses.replace(settings.STRONGROOM_JOBS, immediate=False)
    now = timezone.now()
    WorkerBeat.objects.create(worker="host:1", host="host", pid=1, started_at=now, beat_at=now)
    # Disaster recovery (no backup made here) is checked in protection/backups/tests.
    settings.SILENCED_SYSTEM_CHECKS = [*settings.SILENCED_SYSTEM_CHECKS,
                                       *(f"backups.W00{n}" for n in range(1, 6))]
    issues = [issue for issue in checks.run_checks(include_deployment_checks=True)
              if not issue.is_silenced()]
    assert issues == []
    out, err = io.StringIO(), io.StringIO()
    call_command("check", deploy=True, stdout=out, stderr=err)
    assert err.getvalue() == ""
    assert "no issues" in out.getvalue()

"""The plain-HTTP listener of `strongroom serve`: a 301 to HTTPS and nothing else."""

from __future__ import annotations

import http.client
import socket
from collections.abc import Iterator

import pytest

from strongroom.interfaces.cli.redirect import https_location, redirect_server_start

ALLOWED = {"localhost", "shop.example.com", "[::1]", "127.0.0.1"}


def _allowed(host: str) -> bool:
    return host in ALLOWED


@pytest.mark.parametrize(("host", "path", "port", "expected"), [
    ("localhost:8080", "/", 8443, "https://localhost:8443/"),
    ("localhost", "/cart/?a=1&b=2", 8443, "https://localhost:8443/cart/?a=1&b=2"),
    ("SHOP.example.com:80", "/p/x", 443, "https://shop.example.com/p/x"),
    ("[::1]:8080", "/console/", 8443, "https://[::1]:8443/console/"),
    ("localhost", "//evil.example/x", 8443, "https://localhost:8443//evil.example/x"),
])
def test_location_keeps_host_path_and_query(host: str, path: str, port: int,
                                            expected: str) -> None:
    assert https_location(host_header=host, path=path, https_port=port,
                          host_allowed=_allowed) == expected


@pytest.mark.parametrize(("host", "path"), [
    ("evil.example", "/"),                # forged Host: would be an open redirect
    ("localhost@evil.example", "/"),
    ("evil.example/localhost", "/"),
    ("", "/"),
    ("localhost", "http://evil.example/"),  # absolute-form request target
    ("localhost", "*"),
    ("localhost", "/a\\b"),
])
def test_location_refused(host: str, path: str) -> None:
    assert https_location(host_header=host, path=path, https_port=8443,
                          host_allowed=_allowed) is None


@pytest.fixture
def redirect_port() -> Iterator[int]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = redirect_server_start(host="127.0.0.1", port=port, https_port=8443,
                                   host_allowed=_allowed)
    try:
        yield port
    finally:
        server.shutdown()
        server.server_close()


def _request(port: int, method: str, path: str, host: str | None = "localhost:1234",
             body: bytes | None = None) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.putrequest(method, path, skip_host=True)
    if host is not None:
        conn.putheader("Host", host)
    if body is not None:
        conn.putheader("Content-Length", str(len(body)))
    conn.endheaders(body)
    response = conn.getresponse()
    response.read()
    conn.close()
    return response


@pytest.mark.parametrize("method", ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS"])
def test_every_method_is_redirected(redirect_port: int, method: str) -> None:
    body = b"email=a%40b.example&password=secret" if method == "POST" else None
    response = _request(redirect_port, method, "/account/login/?next=/x", body=body)
    assert response.status == 301
    assert response.getheader("Location") == "https://localhost:8443/account/login/?next=/x"
    assert response.getheader("Set-Cookie") is None


def test_forged_or_missing_host_gets_400(redirect_port: int) -> None:
    assert _request(redirect_port, "GET", "/", host="evil.example").status == 400
    assert _request(redirect_port, "GET", "/", host=None).status == 400


def test_server_header_does_not_reveal_python(redirect_port: int) -> None:
    server = _request(redirect_port, "GET", "/").getheader("Server")
    assert server == "strongroom"

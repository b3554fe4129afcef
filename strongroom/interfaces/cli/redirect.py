"""The plain-HTTP listener: every request gets a 301 to the same path on HTTPS, nothing else.

It never runs the application, so nothing (cookies, pages, forms) is ever served in
clear text. The Host header is checked against ALLOWED_HOSTS before it is echoed in
``Location`` (otherwise a forged Host would turn this into an open redirect), and a
request target that is not a plain path is refused.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from django.http.request import split_domain_port

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def https_location(*, host_header: str, path: str, https_port: int,
                   host_allowed: Callable[[str], bool]) -> str | None:
    """The HTTPS URL for this request, or None when the request must be refused."""
    host, _port = split_domain_port(host_header.strip())
    if not host or not host_allowed(host):
        return None
    if not path.startswith("/") or any(c.isspace() or c == "\\" for c in path):
        return None
    port = "" if https_port == 443 else f":{https_port}"
    return f"https://{host}{port}{path}"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 10  # a slow client cannot hold a thread for long
    https_port = 443
    host_allowed: Callable[[str], bool] = staticmethod(lambda host: False)

    def _redirect(self) -> None:
        location = https_location(
            host_header=self.headers.get("Host", ""),
            path=self.path,
            https_port=self.https_port,
            host_allowed=self.host_allowed,
        )
        status = 301 if location else 400
        body = b"" if self.command == "HEAD" else (
            b"Moved to HTTPS\n" if location else b"Bad request\n"
        )
        self.send_response(status)
        if location:
            self.send_header("Location", location)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)
        self.close_connection = True

    def version_string(self) -> str:
        return "strongroom"  # no Python version for fingerprinting

    def log_message(self, format: str, *args: object) -> None:
        pass  # the HTTPS side logs requests; this side carries nothing worth keeping


for _method in METHODS:
    setattr(_Handler, f"do_{_method}", _Handler._redirect)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def redirect_server_start(*, host: str, port: int, https_port: int,
                          host_allowed: Callable[[str], bool]) -> ThreadingHTTPServer:
    """Bind ``host:port`` and serve redirects from a daemon thread; return the server."""
    handler = type("RedirectHandler", (_Handler,), {
        "https_port": https_port,
        "host_allowed": staticmethod(host_allowed),
    })
    server_cls = _Server
    if _is_ipv6(host):
        server_cls = type("RedirectServer6", (_Server,), {"address_family": socket.AF_INET6})
    server = server_cls((host, port), handler)
    thread = threading.Thread(target=server.serve_forever, name="http-redirect", daemon=True)
    thread.start()
    return server


def _is_ipv6(host: str) -> bool:
    try:
        return isinstance(ipaddress.ip_address(host), ipaddress.IPv6Address)
    except ValueError:
        return False

"""The store's own pages as a browser gets them. With ``STRONGROOM_AUDIT_URL`` (or
``--url``) they are requested over the network, TLS included, trusting the store's
local CA when it has one; otherwise through Django's full middleware stack in this
process (headers as the application sends them; TLS not tested)."""

from __future__ import annotations

import datetime as dt
import socket
import ssl
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import requests
from django.conf import settings

from .registry import Context

PAGES = {"home": "/", "console": "/console/login/"}
TIMEOUT = 10


@dataclass(frozen=True)
class Page:
    status: int
    headers: dict[str, str]  # lower-case names
    cookies: list[str]  # Set-Cookie values
    location: str = ""


def _ca() -> str | bool:
    ca = Path(getattr(settings, "STRONGROOM_TLS_CA", ""))
    return str(ca) if ca.name and ca.is_file() else True


def _remote(url: str, path: str, *, secure: bool = True) -> Page:
    session = requests.Session()
    session.trust_env = False  # the store's own address: no proxy, its own CA
    target = url + path if secure else "http://" + url.split("://", 1)[1] + path
    response = session.get(target, verify=_ca(), allow_redirects=False, timeout=TIMEOUT)
    cookies = list(response.raw.headers.getlist("Set-Cookie")) if response.raw else []
    return Page(response.status_code, {k.lower(): v for k, v in response.headers.items()},
                cookies, response.headers.get("Location", ""))


def _local(path: str, *, secure: bool = True) -> Page:
    from django.test import Client  # the WSGI handler with every middleware, no server

    host = next((h for h in settings.ALLOWED_HOSTS if h and not h.startswith((".", "*"))),
                "localhost")
    client = Client(HTTP_HOST=host.strip("[]") if host.startswith("[") else host)
    response = client.get(path, secure=secure)
    headers = {k.lower(): v for k, v in response.headers.items()}
    cookies = [m.OutputString() for m in response.cookies.values()]
    return Page(response.status_code, headers, cookies, response.headers.get("Location", ""))


def page(ctx: Context, name: str, *, secure: bool = True) -> Page:
    path = PAGES[name]
    key = f"page:{name}:{secure}"
    if ctx.url:
        return ctx.once(key, lambda: _remote(ctx.url, path, secure=secure))
    return ctx.once(key, lambda: _local(path, secure=secure))


@dataclass(frozen=True)
class TlsFacts:
    version: str
    days_left: int
    old_protocol_accepted: bool


def tls_facts(ctx: Context) -> TlsFacts:
    """Handshake with the configured address: protocol negotiated, days until the
    certificate expires, and whether a TLS 1.0/1.1-only client still gets in."""

    def measure() -> TlsFacts:
        parts = urlsplit(ctx.url)
        host, port = parts.hostname or "localhost", parts.port or 443
        context = ssl.create_default_context(cafile=_ca() if isinstance(_ca(), str) else None)
        with socket.create_connection((host, port), timeout=TIMEOUT) as raw, \
                context.wrap_socket(raw, server_hostname=host) as tls:
            version = tls.version() or ""
            cert = tls.getpeercert() or {}
        expires = dt.datetime.fromtimestamp(ssl.cert_time_to_seconds(cert["notAfter"]),
                                            tz=dt.UTC)
        old = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        old.check_hostname = False
        old.verify_mode = ssl.CERT_NONE
        try:
            old.minimum_version = ssl.TLSVersion.TLSv1
            old.maximum_version = ssl.TLSVersion.TLSv1_1
            old.set_ciphers("ALL:@SECLEVEL=0")
            with socket.create_connection((host, port), timeout=TIMEOUT) as raw, \
                    old.wrap_socket(raw, server_hostname=host):
                accepted = True
        except (ssl.SSLError, OSError, ValueError):
            accepted = False
        return TlsFacts(version, (expires - ctx.now).days, accepted)

    return ctx.once("tls", measure)

"""Test helpers: the real sandbox gateway in a thread (over TLS, on a free port), and a
shopper's browser typing a card on its hosted page. Used by the sandbox's own tests and by
the store's payment tests (which sit above the sandbox)."""

from __future__ import annotations

import re
import secrets
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from strongroom.protection.vault.tls import tls_ensure
from strongroom.sandbox.server import RunningGateway, gateway_start


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class Sandbox:
    running: RunningGateway
    url: str
    ca: Path
    api_key: str
    webhook_secret: str
    sent: list = field(default_factory=list)

    @property
    def db(self):
        return self.running.app.db

    def deliver(self) -> int:
        """Deliver the due webhooks now (tests choose when webhooks arrive)."""
        return self.running.deliverer.deliver_due()

    def events(self) -> list:
        with self.db.connect() as conn:
            return conn.execute("SELECT * FROM events ORDER BY created").fetchall()

    def count(self, table: str) -> int:
        with self.db.connect() as conn:
            return conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]  # noqa: S608

    def context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.ca))

    def open(self, url: str, data: dict | None = None) -> tuple[int, str, str]:
        """GET (or POST a form) like a browser, without following redirects:
        returns (status, Location, body)."""
        opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=self.context()),
                                             _NoRedirect())
        body = urlencode(data).encode() if data is not None else None
        try:
            with opener.open(url, data=body, timeout=10) as response:
                return response.status, response.headers.get("Location", ""), \
                    response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers.get("Location", ""), exc.read().decode()

    def pay(self, checkout_url: str, number: str, *, expiry: str = "12/34",
            cvc: str = "123") -> tuple[int, str, str]:
        """The shopper types a card on the hosted page and submits it."""
        status, _, html = self.open(checkout_url)
        assert status == 200, html
        token = re.search(r'name="token" value="([^"]+)"', html).group(1)
        return self.open(checkout_url, {"token": token, "number": number, "expiry": expiry,
                                        "cvc": cvc})

    def authenticate(self, checkout_url: str, action: str) -> tuple[int, str, str]:
        url = checkout_url + "/authenticate"
        status, _, html = self.open(url)
        token = re.search(r'name="token" value="([^"]+)"', html).group(1)
        return self.open(url, {"token": token, "action": action})


def sandbox_start(tmp: Path, *, sender=None, credentials_file: Path | None = None) -> Sandbox:
    """``credentials_file``: the gateway re-reads its webhook secret there at each delivery."""
    report = tls_ensure(data_dir=tmp / "var", allowed_hosts=["localhost"])
    creds = {"api_key": "sk_sandbox_" + secrets.token_urlsafe(16),
             "webhook_secret": "whsec_" + secrets.token_urlsafe(16)}
    running = gateway_start(home=tmp / "var" / "gateway", host="127.0.0.1", port=0,
                            cert=report.files.cert, key=report.files.key, credentials=creds,
                            webhook_url="https://testserver/payments/webhooks/sandbox/",
                            sender=sender, deliver=False, credentials_file=credentials_file)
    url = f"https://localhost:{running.port}"
    running.app.public_url = url
    return Sandbox(running=running, url=url, ca=report.files.ca_cert, api_key=creds["api_key"],
                   webhook_secret=creds["webhook_secret"])


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")

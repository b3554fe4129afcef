"""Payment-page integrity (PCI DSS 4.0 6.4.3 and 11.6.1, in spirit).

6.4.3 — every script on a payment page is authorised and its integrity assured: the
inventory below lists each one with its purpose and its SRI hash, the template tag
``{% payment_script %}`` is the only way to put a script on those pages and refuses any
file whose bytes no longer match, and the browser enforces the ``integrity`` attribute.

11.6.1 — a change of the scripts or security headers served on those pages raises an
alert: ``PaymentPageMonitor`` fingerprints each payment page as it leaves the server
(script sources, SRI, inline scripts, the security headers with the nonce masked) and
compares it with the accepted baseline. Browsers report CSP violations to
``/payments/csp-report/``; both show in the console under Payments security."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import re
from dataclasses import dataclass
from functools import cache

from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage

log = logging.getLogger("strongroom.payments.integrity")


@dataclass(frozen=True)
class Script:
    path: str  # static path
    sha384: str  # base64, as in the integrity attribute
    purpose: str


SCRIPT_INVENTORY: dict[str, Script] = {s.path: s for s in (
    Script("payments/checkout.js",
           "UWpsZDheuU8/Bh3CvJpVa4pe1m1KmqjWt76EZfJZ5Ok3FU+EA5K2l7n8xBXeKVZq",
           "disables the Place order button once clicked, so an order is not sent twice"),
)}

# URL names of the pages that lead to or return from the payment page.
PAYMENT_PAGES = ("storefront:checkout", "storefront:checkout_pay", "storefront:checkout_return")
WATCHED_HEADERS = (
    "Content-Security-Policy", "Permissions-Policy", "X-Frame-Options",
    "X-Content-Type-Options", "Referrer-Policy", "Strict-Transport-Security",
    "Cross-Origin-Opener-Policy", "Cross-Origin-Resource-Policy",
)
_SCRIPT_TAG = re.compile(rb"<script\b([^>]*)>", re.IGNORECASE)
_ATTR = re.compile(rb"""([a-zA-Z-]+)\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)""")
_NONCE = re.compile(r"'nonce-[^']*'")


class UnlistedScript(Exception):
    pass


def file_sha384(path: str) -> str:
    found = finders.find(path)
    if not found:
        raise UnlistedScript(f"{path} is not a static file")
    with open(found, "rb") as handle:
        return base64.b64encode(hashlib.sha384(handle.read()).digest()).decode()


@cache
def script_checked(path: str) -> Script:
    """The inventory entry for ``path`` once its bytes are proven to match the hash."""
    script = SCRIPT_INVENTORY.get(path)
    if script is None:
        raise UnlistedScript(f"{path} is not in the payment-page script inventory")
    if file_sha384(path) != script.sha384:
        raise UnlistedScript(f"{path} does not match its inventory hash")
    return script


def page_details(*, html: bytes, headers) -> dict:
    scripts, inline = [], 0
    for match in _SCRIPT_TAG.finditer(html):
        attrs = {k.decode().lower(): v.decode(errors="replace").strip("\"'")
                 for k, v in _ATTR.findall(match.group(1))}
        if "src" not in attrs:
            inline += 1
            continue
        scripts.append({"src": attrs["src"], "integrity": attrs.get("integrity", "")})
    watched = {name: _NONCE.sub("'nonce-*'", headers.get(name, "")) for name in WATCHED_HEADERS}
    return {"scripts": scripts, "inline_scripts": inline, "headers": watched}


def fingerprint(details: dict) -> str:
    return hashlib.sha256(json.dumps(details, sort_keys=True).encode()).hexdigest()


def script_problems(details: dict) -> list[str]:
    """Scripts on a payment page that the inventory does not vouch for."""
    allowed = {}
    for script in SCRIPT_INVENTORY.values():
        allowed[staticfiles_storage.url(script.path)] = script
    problems = []
    if details["inline_scripts"]:
        problems.append(f"{details['inline_scripts']} inline script(s)")
    for item in details["scripts"]:
        script = allowed.get(item["src"])
        if script is None:
            problems.append(f"unlisted script {item['src'][:200]}")
        elif item["integrity"] != f"sha384-{script.sha384}":
            problems.append(f"script {item['src'][:200]} without its SRI hash")
    return problems

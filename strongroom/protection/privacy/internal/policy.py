"""The privacy policy, generated from the data inventory and the store's settings.

The data tables are never written by hand: they come from ``inventory_rows()``, so a
field added to a model (and classified, or ``privacy.E001`` stops the store) shows up in
the policy. The owner's free-text sections are appended. The plain-text rendering is
what is hashed and compared between versions.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from typing import Any

from django.conf import settings

from strongroom.inventory import BASES, COPIES, PURPOSES, RETENTION
from strongroom.protection.people.vendors.selectors import policy_recipients

from ..conf import privacy_settings
from ..inventory import inventory_rows

COOKIES = ("This store sets only essential cookies: one that keeps you signed in and one "
           "that protects forms against cross-site request forgery (and, while you shop "
           "without an account, one that finds your cart). It sets no analytics, advertising "
           "or other non-essential cookie; if it ever did, it would ask you first.")

RIGHTS = [
    "See and download your data: Account > Privacy > Download my data (GDPR Art. 15, 20).",
    "Correct your data: Account > Addresses and Account > Security (Art. 16).",
    "Delete your account: Account > Privacy > Delete my account (Art. 17). Orders are kept "
    "for the legal accounting period with amounts, tax, dates and references, but every "
    "personal detail in them becomes unreadable.",
    "Withdraw consent at any time, as easily as you gave it: Account > Privacy, or the "
    "unsubscribe link in every marketing email (Art. 7(3)).",
    "Object or ask anything else: write to the privacy contact below; we answer within "
    "one month (Art. 12(3)).",
]


def category_label(key: str) -> str:
    parts = key.split(".")[1:] or [key]
    return " / ".join(p.replace("_", " ") for p in parts)


def _periods() -> dict[str, Any]:
    s = privacy_settings()
    return {"inactive_years": s.inactive_years, "order_years": s.order_years,
            "cart_days": s.cart_days, "session_days": s.session_days}


def _recipients() -> list[dict[str, Any]]:
    """Who receives personal data: the vendor register (kept by people, below privacy)."""
    found = [dict(r) for r in policy_recipients()]
    for r in found:
        r["categories"] = sorted({category_label(c) for c in r.get("categories", ())})
    return sorted(found, key=lambda r: r["name"])


def policy_document(*, sections: list[tuple[str, str]]) -> dict[str, Any]:
    """The policy as data: store, one entry per purpose with the personal data it uses."""
    s = privacy_settings()
    periods = _periods()
    by_purpose: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in inventory_rows():
        if not row.personal:
            continue
        entry = by_purpose[row.use.purpose]
        entry["categories"].add(category_label(row.category))
        entry["bases"].add(BASES[row.use.basis])
        entry["retention"].add(RETENTION[row.use.retention].format(**periods))
        entry["copies"].update(COPIES[c] for c in row.use.copies)
    purposes = [{
        "key": key, "title": PURPOSES[key],
        "categories": sorted(by_purpose[key]["categories"]),
        "bases": sorted(by_purpose[key]["bases"]),
        "retention": sorted(by_purpose[key]["retention"]),
        "copies": sorted(by_purpose[key]["copies"]),
    } for key in PURPOSES if key in by_purpose]
    return {
        "store": {"name": settings.STRONGROOM_STORE_NAME, "contact": s.contact_email,
                  "dpo": s.dpo_contact, "address": s.postal_address, "country": s.country},
        "purposes": purposes,
        "recipients": _recipients(),
        "cookies": COOKIES,
        "rights": RIGHTS,
        "sections": [{"title": t, "body": b} for t, b in sections],
    }


def policy_text(document: dict[str, Any]) -> str:
    """One line per fact, so a diff between versions reads as what changed."""
    store = document["store"]
    lines = [f"Privacy policy of {store['name']}",
             f"Controller: {store['name']}" + (f", {store['address']}" if store["address"] else "")
             + (f" ({store['country']})" if store["country"] else ""),
             f"Privacy contact: {store['contact']}"]
    if store["dpo"]:
        lines.append(f"Data protection officer: {store['dpo']}")
    for p in document["purposes"]:
        lines.append(f"## {p['title']}")
        lines += [f"data: {c}" for c in p["categories"]]
        lines += [f"legal basis: {b}" for b in p["bases"]]
        lines += [f"kept: {r}" for r in p["retention"]]
        lines += [f"copies in: {c}" for c in p["copies"]]
    if document.get("recipients"):
        lines.append("## Who we share data with")
        for r in document["recipients"]:
            lines.append(f"recipient: {r['name']} ({r['service']}); purpose: {r['purpose']}; "
                         f"data: {', '.join(r['categories']) or 'none'}; region: {r['region']}"
                         + (f"; transfer: {r['transfer']}" if r.get("transfer") else ""))
    lines += ["## Cookies", document["cookies"], "## Your rights", *document["rights"]]
    for section in document["sections"]:
        lines += [f"## {section['title']}", *section["body"].splitlines()]
    return "\n".join(lines) + "\n"


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()

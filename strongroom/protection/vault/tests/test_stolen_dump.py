"""The headline promise: a stolen copy of the database reveals no customer's personal data.

Customers sign up, save addresses and check out, and guests check out through the
storefront and the REST API, exactly as a browser or app would, each carrying unique
"canary" strings. Then the test reads what a thief would get: the raw SQLite file and
its write-ahead log (data is committed: ``transaction=True``) or, on PostgreSQL, a full
``pg_dump``; no canary may appear in any letter case. A product name written the same
way is the positive control: it must be found, proving the search can see plaintext.
The pages that are allowed to show the data (the customer's own account pages, the
console) still show it.
"""

from __future__ import annotations

import io
import json
import os
import re
import secrets
import subprocess
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection

from strongroom.commerce.demo import CUSTOMERS, OWNER_EMAIL
from strongroom.commerce.orders.models import Order
from strongroom.interfaces.console.tests.conftest import https_client
from strongroom.testing.factories import canaries_make, product_make

pytestmark = pytest.mark.django_db(transaction=True)


def _needles(values: dict[str, str]) -> dict[str, bytes]:
    """What must not be found: every value lower-cased, phones also as bare digits."""
    out = {k: v.lower().encode() for k, v in values.items() if k != "country"}
    out["phone_digits"] = "".join(ch for ch in values["phone"] if ch.isdigit()).encode()
    return out


def _raw_database() -> bytes:
    """The bytes a thief gets: the SQLite file + WAL, or a pg_dump of the database."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        main = Path(settings["NAME"])
        parts = [main.read_bytes()]
        for suffix in ("-wal", "-journal"):
            extra = Path(f"{main}{suffix}")
            if extra.exists():
                parts.append(extra.read_bytes())
        return b"\n".join(parts)
    assert connection.vendor == "postgresql"
    env = {**os.environ}
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings["PASSWORD"])
    command = ["pg_dump", "--no-owner", "-d", settings["NAME"]]
    for flag, key in (("-h", "HOST"), ("-p", "PORT"), ("-U", "USER")):
        if settings.get(key):
            command += [flag, str(settings[key])]
    return subprocess.run(command, env=env, capture_output=True, check=True, timeout=120).stdout


def _storefront_customer(variant_id: int, values: dict[str, str]) -> None:
    client = https_client()
    password = "canary passphrase " + secrets.token_hex(4)
    r = client.post("/account/signup/", {"email": values["email"],
                                         "full_name": values["full_name"],
                                         "password": password, "password_confirm": password})
    assert r.status_code == 200, r.content  # "check your inbox": the address is confirmed
    from django.core import mail  # by its link (accounts: sign-up verification)

    link = re.search(r"https://testserver(/account/confirm-email/\S+/)", mail.outbox[-1].body)
    assert client.get(link.group(1)).status_code == 302
    address = {k: values[k] for k in
               ("full_name", "line1", "line2", "city", "postal_code", "country", "phone")}
    assert client.post("/account/addresses/", address).status_code == 302
    _storefront_checkout(client, variant_id, values)


def _storefront_checkout(client, variant_id: int, values: dict[str, str]) -> None:
    assert client.post("/cart/add/", {"variant": variant_id, "quantity": 1}).status_code == 302
    data = {k: values[k] for k in
            ("email", "full_name", "line1", "line2", "city", "postal_code", "country", "phone")}
    assert client.post("/checkout/", {**data, "step": "address"}).status_code == 200
    data["shipping_method"] = "standard"
    assert client.post("/checkout/", {**data, "step": "shipping"}).status_code == 200
    r = client.post("/checkout/", {**data, "step": "review"})
    assert r.status_code == 302, r.content


def _api_guest_checkout(variant_id: int, values: dict[str, str]) -> str:
    client = https_client()

    def post(path: str, body: dict, **headers: str):
        return client.post(path, data=json.dumps(body), content_type="application/json",
                           headers=headers)

    token = post("/api/cart", {}).json()["cart_token"]
    assert post("/api/cart/lines", {"variant_id": variant_id, "quantity": 1},
                **{"X-Cart-Token": token}).status_code == 200
    body = {k: values[k] for k in
            ("email", "full_name", "line1", "line2", "city", "postal_code", "country", "phone")}
    r = post("/api/checkout", {**body, "shipping_method": "standard"},
             **{"X-Cart-Token": token})
    assert r.status_code == 201, r.content
    return r.json()["reference"]


def _order_of(email: str) -> Order:
    matches = [o for o in Order.objects.all() if str(o.email).lower() == email.lower()]
    assert len(matches) == 1
    return matches[0]


def test_a_stolen_database_holds_no_customer_data_but_the_store_still_shows_it() -> None:
    control = f"Controlkettle{secrets.token_hex(4)}"  # a product: not personal data
    variant_id = product_make(name=control, stock=50).variants.get().pk
    member, guest, api_guest = canaries_make("M"), canaries_make("G"), canaries_make("A")

    _storefront_customer(variant_id, member)
    _storefront_checkout(https_client(), variant_id, guest)
    api_reference = _api_guest_checkout(variant_id, api_guest)

    dump = _raw_database().lower()
    assert control.lower().encode() in dump, "the search must be able to see plaintext"
    for who, values in (("member", member), ("guest", guest), ("api guest", api_guest)):
        for field, needle in _needles(values).items():
            assert needle not in dump, f"{who}'s {field} is readable in the raw database"

    # ...while the places allowed to show the data show it, decrypted.
    customer = https_client()
    customer.force_login(_user_by_email(member["email"]))
    addresses = customer.get("/account/addresses/").content.decode()
    for field in ("full_name", "line1", "line2", "city", "postal_code"):
        assert member[field] in addresses
    own_order = _order_of(member["email"])
    page = customer.get(f"/account/orders/{own_order.reference}/").content.decode()
    assert member["full_name"] in page and member["line1"] in page

    from strongroom.testing.staff import console_client, staff_make

    staff = console_client(staff_make("owner"))  # masked by default: reveal, with a reason
    for values, order in ((guest, _order_of(guest["email"])),
                          (api_guest, Order.objects.get(reference=api_reference))):
        page = staff.post(f"/console/orders/{order.reference}/reveal/", {
            "groups": ["email", "phone", "address"], "reason": "customer_request"}
        ).content.decode()
        for field in ("email", "full_name", "line1", "city", "postal_code", "phone"):
            assert values[field] in page, field
    # A guest order has a data subject of its own; an account order uses the account's.
    assert _order_of(guest["email"]).user_id is None
    assert own_order.subject_id == _user_by_email(member["email"]).subject_id
    assert _order_of(guest["email"]).subject_id != own_order.subject_id


def _user_by_email(email: str):
    return get_user_model().objects.get_by_natural_key(email)


# An email address as it would appear in plaintext (lower-cased bytes). Requiring a few
# characters on each side keeps random ciphertext from matching by chance.
_EMAIL = re.compile(rb"[a-z0-9._%+-]{3,}@[a-z0-9-]{3,}(?:\.[a-z0-9-]+)*\.[a-z]{2,}")


def test_after_the_demo_the_raw_database_holds_no_email_address() -> None:
    call_command("demo", stdout=io.StringIO())
    assert get_user_model().objects.get_by_natural_key(OWNER_EMAIL).is_staff  # it loaded
    dump = _raw_database().lower()
    for name, email, line1, city, _, _ in CUSTOMERS:
        for value in (name, email, line1, city):
            assert value.lower().encode() not in dump
    assert OWNER_EMAIL.encode() not in dump
    assert _EMAIL.search(b"\x00ada@example.com\x00")  # the pattern does see plaintext
    assert _EMAIL.findall(dump) == []

"""Unpaid checkout sessions expire in the gateway's own process: the page refuses payment,
the store gets a signed checkout.session.expired webhook, a paid session is untouched."""

from __future__ import annotations

import json
import time

from strongroom.sandbox.expiry import SESSION_LIFETIME, sessions_expire
from strongroom.sandbox.tests.test_sandbox import SESSION, _api, box  # noqa: F401 - fixture


def test_an_unpaid_session_expires_once_and_the_store_is_told(box):  # noqa: F811
    _, stale = _api(box, "POST", "/v1/checkout/sessions", SESSION)
    _, paid = _api(box, "POST", "/v1/checkout/sessions", {**SESSION, "reference": "SR-2"})
    _api(box, "POST", f"/v1/test_helpers/checkout/sessions/{paid['id']}/pay", {"card": "visa"})
    _, fresh = _api(box, "POST", "/v1/checkout/sessions", {**SESSION, "reference": "SR-3"})
    with box.db.write() as conn:  # two of them were opened more than a day ago
        conn.execute("UPDATE sessions SET created = ? WHERE id IN (?, ?)",
                     (time.time() - SESSION_LIFETIME - 60, stale["id"], paid["id"]))
    assert sessions_expire(box.db, public_url=box.url) == 1
    assert sessions_expire(box.db, public_url=box.url) == 0  # idempotent
    states = {s["id"]: _api(box, "GET", f"/v1/checkout/sessions/{s['id']}")[1]["status"]
              for s in (stale, paid, fresh)}
    assert states == {stale["id"]: "expired", paid["id"]: "complete", fresh["id"]: "open"}
    with box.db.connect() as conn:
        events = [json.loads(r["payload"]) for r in conn.execute(
            "SELECT payload FROM events WHERE type = 'checkout.session.expired'")]
    assert [e["data"]["object"]["id"] for e in events] == [stale["id"]]
    status, _, page = box.open(stale["url"])
    assert status == 410 and "has expired" in page
    refused = _api(box, "POST", f"/v1/test_helpers/checkout/sessions/{stale['id']}/pay",
                   {"card": "visa"})
    assert refused[0] == 409 and refused[1]["error"]["code"] == "session_expired"
    assert box.count("payments") == 1  # only the paid session's

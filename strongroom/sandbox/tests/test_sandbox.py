"""The sandbox gateway on its own: card checks, the merchant API's auth, validation and
idempotency keys, refunds and capture, and webhook delivery with backoff."""

from __future__ import annotations

import json
import urllib.request
from datetime import date

import pytest

from strongroom.sandbox import cards
from strongroom.sandbox.delivery import MAX_DELAY, backoff
from strongroom.sandbox.signing import HEADER, header_value
from strongroom.sandbox.tests.kit import sandbox_start

TODAY = date(2026, 6, 1)


def test_luhn_and_brands():
    assert cards.luhn_ok("4242424242424242") and not cards.luhn_ok("4242424242424241")
    assert cards.brand_of("5555555555554444") == "mastercard"
    assert cards.brand_of("378282246310005") == "amex"
    assert cards.brand_of("2223003122003222") == "mastercard"


@pytest.mark.parametrize("number, outcome", [
    ("4242424242424242", cards.SUCCESS), ("4000000000000002", "card_declined"),
    ("4000000000009995", "insufficient_funds"), ("4000000000000069", "expired_card"),
    ("4000000000000119", "processing_error"), ("4000000000003220", cards.REQUIRES_ACTION),
])
def test_stripe_test_cards(number, outcome):
    card = cards.card_check(number=number, expiry="04/30", cvc="123", today=TODAY)
    assert card.outcome == outcome and card.last4 == number[-4:]
    assert (card.exp_month, card.exp_year) == (4, 2030)


@pytest.mark.parametrize("number, expiry, cvc, field", [
    ("4242424242424241", "04/30", "123", "number"), ("42", "04/30", "123", "number"),
    ("4242x242424242424", "04/30", "123", "number"), ("4242424242424242", "5/26", "123", "expiry"),
    ("4242424242424242", "00/30", "123", "expiry"), ("4242424242424242", "0430", "123", "expiry"),
    ("4242424242424242", "04/30", "1234", "cvc"), ("378282246310005", "04/30", "123", "cvc"),
])
def test_bad_card_details(number, expiry, cvc, field):
    with pytest.raises(cards.CardInvalid) as exc:
        cards.card_check(number=number, expiry=expiry, cvc=cvc, today=TODAY)
    assert exc.value.field == field


def test_backoff_grows_and_is_capped():
    assert [backoff(n) for n in (1, 2, 3, 4)] == [1, 2, 4, 8]
    assert backoff(40) == MAX_DELAY


@pytest.fixture
def box(tmp_path):
    sent = []

    def sender(url, body, headers):
        sent.append((url, body, headers))
        return 500 if len(sent) == 1 else 200

    running = sandbox_start(tmp_path, sender=sender)
    running.sent = sent
    yield running
    running.running.stop()


def _api(box, method, path, body=None, key=None, api_key=None):
    headers = {"Authorization": f"Bearer {api_key or box.api_key}",
               "Content-Type": "application/json"}
    if key:
        headers["Idempotency-Key"] = key
    request = urllib.request.Request(box.url + path, method=method, headers=headers,
                                     data=json.dumps(body).encode() if body is not None else None)
    try:
        with urllib.request.urlopen(request, context=box.context(), timeout=5) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


SESSION = {"amount": 2500, "currency": "EUR", "reference": "SR-1",
           "success_url": "https://localhost/ok?s={CHECKOUT_SESSION_ID}",
           "cancel_url": "https://localhost/no"}


def test_api_needs_the_key(box):
    assert _api(box, "POST", "/v1/checkout/sessions", SESSION, api_key="sk_wrong")[0] == 401


@pytest.mark.parametrize("change", [
    {"amount": 0}, {"amount": "10"}, {"amount": True}, {"currency": "euro"},
    {"success_url": "http://localhost/ok"}, {"cancel_url": "javascript:alert(1)"},
    {"capture": "sometimes"},
])
def test_session_validation(box, change):
    status, body = _api(box, "POST", "/v1/checkout/sessions", {**SESSION, **change})
    assert status == 400 and body["error"]["code"].startswith("invalid_")


def test_idempotency_keys(box):
    first = _api(box, "POST", "/v1/checkout/sessions", SESSION, key="k1")
    again = _api(box, "POST", "/v1/checkout/sessions", SESSION, key="k1")
    assert first == again and box.count("sessions") == 1
    other = _api(box, "POST", "/v1/checkout/sessions", {**SESSION, "amount": 1}, key="k1")
    assert other[0] == 409 and other[1]["error"]["code"] == "idempotency_key_reused"


def test_refunds_partial_full_and_too_much(box):
    _, session = _api(box, "POST", "/v1/checkout/sessions", SESSION)
    _, paid = _api(box, "POST", f"/v1/test_helpers/checkout/sessions/{session['id']}/pay",
                   {"card": "visa"})
    pay = paid["payment"]["id"]
    assert paid["payment"]["status"] == "captured"
    assert _api(box, "POST", f"/v1/payments/{pay}/refunds", {"amount": 3000})[0] == 400
    status, refund = _api(box, "POST", f"/v1/payments/{pay}/refunds", {"amount": 500}, key="r1")
    assert status == 200 and refund["session"]["payment"]["status"] == "partially_refunded"
    assert _api(box, "POST", f"/v1/payments/{pay}/refunds", {"amount": 500}, key="r1") == (
        status, refund)  # a retried refund is not paid twice
    _, rest = _api(box, "POST", f"/v1/payments/{pay}/refunds", {})
    assert rest["amount"] == 2000 and rest["session"]["payment"]["status"] == "refunded"
    assert _api(box, "POST", f"/v1/payments/{pay}/refunds", {"amount": 1})[0] == 409


def test_manual_capture(box):
    _, session = _api(box, "POST", "/v1/checkout/sessions", {**SESSION, "capture": "manual"})
    _, paid = _api(box, "POST", f"/v1/test_helpers/checkout/sessions/{session['id']}/pay",
                   {"card": "visa"})
    pay = paid["payment"]
    assert pay["status"] == "authorised" and pay["amount_captured"] == 0
    assert _api(box, "POST", f"/v1/payments/{pay['id']}/refunds", {})[0] == 409
    status, captured = _api(box, "POST", f"/v1/payments/{pay['id']}/capture", {"amount": 2000})
    assert status == 200 and captured["payment"]["amount_captured"] == 2000


def test_webhooks_are_signed_and_retried_with_backoff(box):
    _, session = _api(box, "POST", "/v1/checkout/sessions", SESSION)
    _api(box, "POST", f"/v1/test_helpers/checkout/sessions/{session['id']}/pay", {"card": "visa"})
    assert box.deliver() == 0  # the store answered 500
    with box.db.connect() as conn:
        row = conn.execute("SELECT attempts, next_attempt, created FROM events").fetchone()
    assert row["attempts"] == 1 and row["next_attempt"] > row["created"]
    with box.db.write() as conn:
        conn.execute("UPDATE events SET next_attempt = 0")
    assert box.deliver() == 1
    url, body, headers = box.sent[-1]
    # Signed by the sandbox's own scheme (the store's verifier accepts it: payments'
    # test_signature); the timestamp is inside the signature.
    timestamp = int(headers[HEADER].split(",")[0].removeprefix("t="))
    assert headers[HEADER] == header_value(box.webhook_secret, timestamp, body)
    assert json.loads(body)["type"] == "checkout.session.completed"
    assert box.deliver() == 0  # delivered once


def test_hosted_page_refuses_a_forged_form_and_has_a_strict_csp(box):
    _, session = _api(box, "POST", "/v1/checkout/sessions", SESSION)
    status, _, _ = box.open(session["url"], {"token": "forged", "number": "4242424242424242",
                                             "expiry": "12/34", "cvc": "123"})
    assert status == 403 and box.count("payments") == 0
    request = urllib.request.Request(session["url"])
    with urllib.request.urlopen(request, context=box.context(), timeout=5) as r:
        csp = r.headers["Content-Security-Policy"]
        html = r.read().decode()
    assert "script" not in html.lower().replace("description", "")
    assert "default-src 'none'" in csp and "form-action 'self' https://localhost" in csp
    assert box.open(box.url + "/pay/cs_nope")[0] == 404

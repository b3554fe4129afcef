"""The Stripe adapter against Stripe-shaped HTTP answers faked at the network edge (a local
HTTP server the official library is pointed at), and webhooks signed the way Stripe signs
them (HMAC-SHA256 over "<t>.<payload>", header ``Stripe-Signature: t=…,v1=…``)."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail

from strongroom.commerce.orders.models import OrderEvent, OrderStatus
from strongroom.commerce.payments.models import Payment, PaymentStatus, Refund
from strongroom.commerce.payments.services import payment_refund
from strongroom.config import PaymentConfig

from .conftest import order_for_api

pytestmark = pytest.mark.django_db
SECRET = "whsec_test_" + "s" * 24


class FakeStripe:
    def __init__(self):
        self.sessions: dict[str, dict] = {}
        self.requests: list[tuple[str, str, dict, dict]] = []
        self.idempotent: dict[str, dict] = {}

    def paid(self, session_id: str, *, refunded: int = 0, last4: str = "4242") -> None:
        s = self.sessions[session_id]
        s.update(status="complete", payment_status="paid", payment_intent={
            "id": "pi_test_1", "object": "payment_intent", "status": "succeeded",
            "last_payment_error": None,
            "latest_charge": {"id": "ch_test_1", "object": "charge",
                              "amount_refunded": refunded, "payment_method_details": {
                                  "card": {"brand": "visa", "last4": last4, "exp_month": 4,
                                           "exp_year": 2031}}}})

    def handle(self, method: str, path: str, form: dict, headers) -> tuple[int, dict]:
        self.requests.append((method, path, form, dict(headers)))
        key = headers.get("Idempotency-Key")
        if key and key in self.idempotent:
            return 200, self.idempotent[key]
        if method == "POST" and path == "/v1/checkout/sessions":
            sid = f"cs_test_{len(self.sessions) + 1:04d}"
            body = {"id": sid, "object": "checkout.session", "status": "open",
                    "payment_status": "unpaid", "payment_intent": None,
                    "amount_total": int(form["line_items[0][price_data][unit_amount]"]),
                    "currency": form["line_items[0][price_data][currency]"],
                    "client_reference_id": form["client_reference_id"],
                    "url": f"https://checkout.stripe.com/c/pay/{sid}"}
            self.sessions[sid] = body
        elif method == "GET" and path.startswith("/v1/checkout/sessions/"):
            sid = path.rsplit("/", 1)[1]
            if sid not in self.sessions:
                return 404, {"error": {"type": "invalid_request_error",
                                       "message": "No such checkout.session"}}
            body = self.sessions[sid]
        elif method == "POST" and path == "/v1/refunds":
            for s in self.sessions.values():
                pi = s.get("payment_intent")
                if pi and pi["id"] == form["payment_intent"]:
                    pi["latest_charge"]["amount_refunded"] += int(form["amount"])
            body = {"id": f"re_test_{len(self.requests)}", "object": "refund",
                    "amount": int(form["amount"]), "status": "succeeded"}
        else:
            return 404, {"error": {"type": "invalid_request_error", "message": "no route"}}
        if key:
            self.idempotent[key] = body
        return 200, body


@pytest.fixture
def fake_stripe(settings):
    fake = FakeStripe()

    class Handler(BaseHTTPRequestHandler):
        def _serve(self):
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode() if length else ""
            url = urlsplit(self.path)
            form = {k: v[0] for k, v in parse_qs(raw or url.query).items()}
            status, body = fake.handle(self.command, url.path, form, self.headers)
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Request-Id", "req_test")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = _serve

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.STRONGROOM_PAYMENTS = PaymentConfig(
        gateway="stripe", stripe_secret_key="sk_test_fake", stripe_webhook_secret=SECRET,
        stripe_api_base=f"http://127.0.0.1:{server.server_port}", timeout=3.0)
    yield fake
    server.shutdown()
    server.server_close()


def stripe_signed(payload: dict, *, secret: str = SECRET, at: int | None = None) -> tuple:
    body = json.dumps(payload).encode()
    t = int(time.time()) if at is None else at
    sig = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return body, f"t={t},v1={sig}"


def event(kind: str, obj: dict, event_id: str = "evt_test_1") -> dict:
    return {"id": event_id, "object": "event", "type": kind, "api_version": "2024-06-20",
            "created": int(time.time()), "data": {"object": obj}}


def post_webhook(client, body: bytes, signature: str):
    return client.post("/payments/webhooks/stripe/", data=body, content_type="application/json",
                       HTTP_STRIPE_SIGNATURE=signature)


def _open(client, fake_stripe, variant):
    order, start = order_for_api(variant)
    hop = client.get(start.redirect_url)
    assert hop.status_code == 302 and hop.url.startswith("https://checkout.stripe.com/c/pay/")
    order.back = f"/checkout/return/{order.reference}/?{start.redirect_url.split('?')[1]}"
    return order, Payment.objects.get(order=order)


def test_checkout_session_is_created_with_an_idempotency_key(client, fake_stripe, variant):
    order, payment = _open(client, fake_stripe, variant)
    method, path, form, headers = fake_stripe.requests[0]
    assert (method, path) == ("POST", "/v1/checkout/sessions")
    assert headers["Idempotency-Key"] == f"checkout-{payment.pk}"
    assert headers["Authorization"] == "Bearer sk_test_fake"
    assert form["mode"] == "payment" and form["client_reference_id"] == order.reference
    assert form["line_items[0][price_data][unit_amount]"] == str(int(order.total * 100))
    assert "{CHECKOUT_SESSION_ID}" in form["success_url"]
    assert payment.gateway == "stripe" and payment.gateway_reference == "cs_test_0001"
    csp_page = client.get("/checkout/")
    assert csp_page.status_code == 302  # empty cart now; the header check is below
    client.post("/cart/add/", {"variant": variant.pk, "quantity": 1})
    assert "form-action 'self' https://checkout.stripe.com" in client.get(
        "/checkout/")["Content-Security-Policy"]


def test_return_and_webhook_pay_the_order_once(client, fake_stripe, variant,
                                               django_capture_on_commit_callbacks):
    order, payment = _open(client, fake_stripe, variant)
    fake_stripe.paid("cs_test_0001")
    body, sig = stripe_signed(event("checkout.session.completed",
                                    fake_stripe.sessions["cs_test_0001"]))
    with django_capture_on_commit_callbacks(execute=True):
        assert post_webhook(client, body, sig).status_code == 200
        assert post_webhook(client, body, sig).json()["outcome"] == "duplicate"
        assert client.get(order.back + "&session_id=cs_test_0001").status_code == 200
    payment.refresh_from_db()
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID and payment.status == PaymentStatus.CAPTURED
    assert (payment.card_brand, payment.card_last4, payment.card_exp_month,
            payment.card_exp_year) == ("visa", "4242", 4, 2031)
    assert payment.gateway_payment == "pi_test_1"
    assert OrderEvent.objects.filter(order=order, kind="paid").count() == 1
    assert len(mail.outbox) == 1


@pytest.mark.parametrize("mutate", ["bad_secret", "old", "tampered", "missing"])
def test_bad_stripe_signatures_are_refused_without_logging_the_payload(client, fake_stripe,
                                                                      variant, caplog, mutate):
    order, payment = _open(client, fake_stripe, variant)
    fake_stripe.paid("cs_test_0001")
    payload = event("checkout.session.completed", fake_stripe.sessions["cs_test_0001"])
    payload["marker"] = "PAYLOAD-MARKER-1234"
    body, sig = stripe_signed(payload, secret="whsec_wrong" if mutate == "bad_secret" else SECRET,
                              at=int(time.time()) - 3600 if mutate == "old" else None)
    if mutate == "tampered":
        body = body.replace(b"MARKER", b"MARKET")
    if mutate == "missing":
        sig = ""
    with caplog.at_level("WARNING"):
        response = post_webhook(client, body, sig)
    assert response.status_code == 400
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING
    warnings = [r for r in caplog.records if r.name == "strongroom.payments.webhooks"]
    assert len(warnings) == 1 and warnings[0].levelname == "WARNING"
    assert "PAYLOAD-MARKER" not in caplog.text and "PAYLOAD-MARKET" not in caplog.text


def test_refund_through_stripe_partial_then_full(client, fake_stripe, variant, owner):
    order, payment = _open(client, fake_stripe, variant)
    fake_stripe.paid("cs_test_0001")
    assert client.get(order.back).status_code == 200
    payment.refresh_from_db()
    refund = payment_refund(payment=payment, amount="5.00", actor=owner)
    assert refund.status == "succeeded"
    _, path, form, headers = fake_stripe.requests[-2]
    assert path == "/v1/refunds" and form["amount"] == "500"
    assert headers["Idempotency-Key"] == f"refund-{refund.pk}"
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PARTIALLY_REFUNDED
    payment_refund(payment=payment, amount=None, actor=owner)
    payment.refresh_from_db()
    order.refresh_from_db()
    assert payment.status == PaymentStatus.REFUNDED and order.status == OrderStatus.REFUNDED
    assert Refund.objects.filter(actor=owner).count() == 2


def test_charge_refunded_webhook_is_applied_from_stripe_state(client, fake_stripe, variant):
    order, payment = _open(client, fake_stripe, variant)
    fake_stripe.paid("cs_test_0001", refunded=int(order.total * 100))
    body, sig = stripe_signed(event("charge.refunded", {"id": "ch_test_1", "object": "charge",
                                                        "payment_intent": "pi_test_1"},
                                    "evt_refund"))
    client.get(order.back)  # paid... and already refunded
    assert post_webhook(client, body, sig).status_code == 200
    order.refresh_from_db()
    assert order.status == OrderStatus.REFUNDED


def test_stripe_down_is_a_clear_message(client, fake_stripe, variant, settings):
    settings.STRONGROOM_PAYMENTS = replace(settings.STRONGROOM_PAYMENTS,
                                           stripe_api_base="http://127.0.0.1:9")
    order, start = order_for_api(variant)
    response = client.get(start.redirect_url)
    assert response.status_code == 503 and "not answering" in response.content.decode()

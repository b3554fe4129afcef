"""Adapter for the built-in sandbox gateway (``strongroom gateway``), over HTTPS verified
against the store's local CA — never with verification turned off."""

from __future__ import annotations

import json
import ssl
import urllib.error
import urllib.request
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from strongroom.commerce.money import MoneyError, from_minor, to_minor
from strongroom.config import PaymentConfig

from ..errors import GatewayRefused, GatewayUnavailable, WebhookInvalid
from ..internal import signature
from ..models import Payment, PaymentStatus
from ..ports import GatewayEvent, GatewayRefund, GatewaySession
from ..webhook_secrets import webhook_secrets_accepted
from .base import HostedPageGateway

SIGNATURE_HEADER = "sandbox-signature"
_STATUS = {
    "open": PaymentStatus.AWAITING, "requires_action": PaymentStatus.AWAITING,
    "failed": PaymentStatus.FAILED, "authorised": PaymentStatus.AUTHORISED,
    "captured": PaymentStatus.CAPTURED, "partially_refunded": PaymentStatus.PARTIALLY_REFUNDED,
    "refunded": PaymentStatus.REFUNDED,
}


class SandboxGateway(HostedPageGateway):
    name = "sandbox"

    def __init__(self, *, config: PaymentConfig, ca_file: Path | None):
        self.base = config.sandbox_url
        self.origin = f"https://{urlsplit(self.base).netloc}"
        self._key, self._webhook_secret = config.sandbox_api_key, config.sandbox_webhook_secret
        self._timeout = config.timeout
        self._context = ssl.create_default_context(cafile=str(ca_file) if ca_file else None)

    # --- HTTP -----------------------------------------------------------------------------
    def _call(self, method: str, path: str, body: dict | None = None,
              idempotency_key: str = "") -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self._key}", "Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        request = urllib.request.Request(self.base + path, data=data,  # noqa: S310 - https only
                                         headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, context=self._context,  # noqa: S310 - https
                                        timeout=self._timeout) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as exc:
            if exc.code >= 500:
                raise GatewayUnavailable("The payment service had a problem: try again in a "
                                         "moment.") from None
            try:
                message = json.loads(exc.read())["error"]["message"]
            except (ValueError, KeyError, TypeError):
                message = f"HTTP {exc.code}"
            raise GatewayRefused(f"The payment service refused: {message}") from None
        except (OSError, ValueError):  # refused, timed out, TLS failure, garbage
            raise GatewayUnavailable("The payment service is not answering right now. Your "
                                     "order is reserved: try again in a moment.") from None

    # --- the port ---------------------------------------------------------------------------
    def checkout_open(self, *, payment: Payment, reference: str, success_url: str,
                      cancel_url: str, idempotency_key: str) -> GatewaySession:
        data = self._call("POST", "/v1/checkout/sessions", {
            "amount": _minor(payment.amount, payment.currency), "currency": payment.currency,
            "reference": reference, "description": f"Order {reference}",
            "success_url": success_url, "cancel_url": cancel_url,
        }, idempotency_key=idempotency_key)
        return session_from(data)

    def checkout_get(self, *, session_id: str) -> GatewaySession:
        return session_from(self._call("GET", f"/v1/checkout/sessions/{session_id}"))

    def refund(self, *, payment: Payment, amount: Decimal,
               idempotency_key: str) -> GatewayRefund:
        data = self._call("POST", f"/v1/payments/{payment.gateway_payment}/refunds",
                          {"amount": _minor(amount, payment.currency)},
                          idempotency_key=idempotency_key)
        return GatewayRefund(refund_id=str(data["id"]), session=session_from(data["session"]))

    def test_pay(self, *, session_id: str, card: str) -> GatewaySession:
        """Sandbox only: pay a session with a named test card (the demo's shortcut; the
        card number never leaves the gateway)."""
        return session_from(self._call("POST", f"/v1/test_helpers/checkout/sessions/"
                                               f"{session_id}/pay", {"card": card}))

    def webhook_parse(self, *, body: bytes, headers: dict[str, str]) -> GatewayEvent:
        accepted = webhook_secrets_accepted(gateway=self.name, configured=self._webhook_secret)
        signature.verify(body=body, header=headers.get(SIGNATURE_HEADER, ""), secret=accepted)
        try:
            event = json.loads(body)
            obj = event["data"]["object"]
            return GatewayEvent(event_id=str(event["id"]), event_type=str(event["type"]),
                                session=session_from(obj) if obj.get("object") ==
                                "checkout.session" else None)
        except (ValueError, KeyError, TypeError, AttributeError, GatewayRefused):
            raise WebhookInvalid("signed, but not a well-formed event") from None


def _minor(amount: Decimal, currency: str) -> int:
    try:
        return to_minor(amount, currency)
    except MoneyError as exc:
        raise GatewayRefused(f"The amount cannot be charged: {exc}") from None


def session_from(data: dict[str, Any]) -> GatewaySession:
    pay = data.get("payment") or {}
    card = pay.get("card") or {}
    currency = str(data["currency"]).upper()
    try:
        amount = from_minor(data["amount"], currency)
        refunded = from_minor(pay.get("amount_refunded", 0), currency)
    except MoneyError as exc:  # an unknown currency or a non-integer: not a session we made
        raise GatewayRefused(f"The payment service answered with an unreadable amount: "
                             f"{exc}") from None
    return GatewaySession(
        session_id=str(data["id"]),
        status=_STATUS.get(pay.get("status", "open"), PaymentStatus.AWAITING),
        amount=amount, currency=currency,
        checkout_url=str(data.get("url", "")), payment_id=str(pay.get("id", "")),
        amount_refunded=refunded,
        card_brand=str(card.get("brand", ""))[:20], card_last4=str(card.get("last4", ""))[-4:],
        card_exp_month=card.get("exp_month"), card_exp_year=card.get("exp_year"),
        failure_code=str(pay.get("failure_code", ""))[:40],
    )

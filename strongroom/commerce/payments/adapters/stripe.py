"""Adapter for Stripe Checkout, on the official ``stripe`` library.

The shopper pays on Stripe's hosted Checkout page (SAQ A: card data never touches the
store). Webhooks are verified by the library (``construct_event``: HMAC-SHA256 over the
signed timestamp and payload, constant-time compare, 300-second tolerance). Webhook
bodies are used only as a hint: the adapter fetches the session from Stripe, so the
state applied is always Stripe's current one, whatever order the events came in."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import stripe

from strongroom.commerce.money import MoneyError, from_minor, to_minor
from strongroom.config import PaymentConfig
from strongroom.protection.people.services import VendorUnregistered, vendor_share

from ..errors import GatewayRefused, GatewayUnavailable, WebhookInvalid
from ..models import Payment, PaymentStatus
from ..ports import GatewayEvent, GatewayRefund, GatewaySession
from .base import HostedPageGateway

# Where Stripe departs from ISO 4217 (docs.stripe.com/currencies): it treats MGA as
# zero-decimal, and ISK as two-decimal (amounts divisible by 100) for compatibility.
STRIPE_EXPONENTS = {"MGA": 0, "ISK": 2}

SESSION_EVENTS = {
    "checkout.session.completed", "checkout.session.async_payment_succeeded",
    "checkout.session.async_payment_failed", "checkout.session.expired",
}
CHARGE_EVENTS = {"charge.refunded", "charge.succeeded", "charge.failed"}


def _g(obj: Any, key: str) -> Any:
    if obj is None or isinstance(obj, str):
        return None
    try:
        return obj.get(key)
    except AttributeError:
        return getattr(obj, key, None)


class StripeGateway(HostedPageGateway):
    name = "stripe"
    origin = "https://checkout.stripe.com"

    def __init__(self, *, config: PaymentConfig):
        kwargs: dict[str, Any] = {
            "max_network_retries": 2,  # the library retries with idempotency keys
            "http_client": stripe.RequestsClient(timeout=config.timeout),
        }
        if config.stripe_api_base:
            kwargs["base_addresses"] = {"api": config.stripe_api_base}
        self.client = stripe.StripeClient(config.stripe_secret_key, **kwargs)
        self._webhook_secret = config.stripe_webhook_secret

    def _call(self, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (stripe.APIConnectionError, stripe.RateLimitError) as exc:
            raise GatewayUnavailable("Stripe is not answering right now. Your order is "
                                     "reserved: try again in a moment.") from exc
        except stripe.APIError as exc:
            raise GatewayUnavailable("Stripe had a problem: try again in a moment.") from exc
        except stripe.StripeError as exc:
            message = getattr(exc, "user_message", None) or "the request was refused"
            raise GatewayRefused(f"Stripe refused: {message}") from exc

    def checkout_open(self, *, payment: Payment, reference: str, success_url: str,
                      cancel_url: str, idempotency_key: str) -> GatewaySession:
        session = self._call(self.client.v1.checkout.sessions.create, params=_shared({
            "mode": "payment", "client_reference_id": reference,
            "success_url": success_url, "cancel_url": cancel_url,
            "line_items": [{"quantity": 1, "price_data": {
                "currency": payment.currency.lower(),
                "unit_amount": _minor(payment.amount, payment.currency),
                "product_data": {"name": f"Order {reference}"}}}],
            "metadata": {"order": reference, "payment": str(payment.pk)},
            "payment_intent_data": {"metadata": {"order": reference}},
        }, purpose="checkout"), options={"idempotency_key": idempotency_key})
        return session_from(session)

    def checkout_get(self, *, session_id: str) -> GatewaySession:
        session = self._call(self.client.v1.checkout.sessions.retrieve, session_id,
                             params={"expand": ["payment_intent.latest_charge"]})
        return session_from(session)

    def refund(self, *, payment: Payment, amount: Decimal,
               idempotency_key: str) -> GatewayRefund:
        refund = self._call(self.client.v1.refunds.create, params=_shared({
            "payment_intent": payment.gateway_payment,
            "amount": _minor(amount, payment.currency),
        }, purpose="refund"), options={"idempotency_key": idempotency_key})
        return GatewayRefund(refund_id=str(_g(refund, "id")),
                             session=self.checkout_get(session_id=payment.gateway_reference))

    def webhook_parse(self, *, body: bytes, headers: dict[str, str]) -> GatewayEvent:
        try:
            event = self.client.construct_event(body, headers.get("stripe-signature", ""),
                                                self._webhook_secret)
        except stripe.SignatureVerificationError as exc:
            raise WebhookInvalid("Stripe signature verification failed") from exc
        except ValueError as exc:
            raise WebhookInvalid("not a well-formed Stripe event") from exc
        obj = _g(_g(event, "data"), "object")
        kind = str(_g(event, "type"))
        session_id = payment_id = ""
        if kind in SESSION_EVENTS:
            session_id = str(_g(obj, "id") or "")
        elif kind in CHARGE_EVENTS or kind.startswith("payment_intent."):
            pi = _g(obj, "payment_intent") if kind in CHARGE_EVENTS else _g(obj, "id")
            payment_id = str(pi if isinstance(pi, str) else _g(pi, "id") or "")
        return GatewayEvent(event_id=str(_g(event, "id")), event_type=kind, session=None,
                            session_id=session_id, payment_id=payment_id)


def _shared(params: dict[str, Any], *, purpose: str) -> dict[str, Any]:
    """What leaves for Stripe: only the fields the vendor register lists for it (the
    sharing gate records categories and counts). Not in the register: nothing is sent."""
    try:
        return vendor_share(vendor="stripe", payload=params, records=1, purpose=purpose)
    except VendorUnregistered as exc:
        raise GatewayUnavailable("Payments are switched off right now: try again later."
                                 ) from exc


def _minor(amount: Decimal, currency: str) -> int:
    try:
        return to_minor(amount, currency, overrides=STRIPE_EXPONENTS)
    except MoneyError as exc:
        raise GatewayRefused(f"The amount cannot be charged: {exc}") from None


def _major(amount: int, currency: str) -> Decimal:
    try:
        return from_minor(amount, currency, overrides=STRIPE_EXPONENTS)
    except MoneyError as exc:
        raise GatewayRefused(f"Stripe answered with an unreadable amount: {exc}") from None


def session_from(session: Any) -> GatewaySession:
    pi = _g(session, "payment_intent")
    charge = _g(pi, "latest_charge")
    card = _g(_g(charge, "payment_method_details"), "card")
    amount = int(_g(session, "amount_total") or 0)
    refunded = int(_g(charge, "amount_refunded") or 0)
    status, failure = PaymentStatus.AWAITING, ""
    if _g(session, "payment_status") == "paid":
        status = PaymentStatus.CAPTURED
        if refunded and refunded >= amount:
            status = PaymentStatus.REFUNDED
        elif refunded:
            status = PaymentStatus.PARTIALLY_REFUNDED
    elif _g(pi, "status") == "requires_capture":
        status = PaymentStatus.AUTHORISED
    elif _g(pi, "last_payment_error"):
        error = _g(pi, "last_payment_error")
        status = PaymentStatus.FAILED
        failure = str(_g(error, "decline_code") or _g(error, "code") or "card_declined")
    pi_id = pi if isinstance(pi, str) else _g(pi, "id")
    currency = str(_g(session, "currency") or "").upper()
    return GatewaySession(
        session_id=str(_g(session, "id")), status=status, amount=_major(amount, currency),
        currency=currency,
        checkout_url=str(_g(session, "url") or ""), payment_id=str(pi_id or ""),
        amount_refunded=_major(refunded, currency),
        card_brand=str(_g(card, "brand") or "")[:20], card_last4=str(_g(card, "last4") or ""),
        card_exp_month=_g(card, "exp_month"), card_exp_year=_g(card, "exp_year"),
        failure_code=failure[:40],
    )

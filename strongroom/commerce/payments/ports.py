"""The gateway port. The store asks a gateway to start a payment and is told where to
send the shopper; card details are only ever entered on the gateway's own page.

This module holds the port only: the ``Gateway`` protocol and the plain values that cross
it, in the store's terms. Adapters: ``adapters.sandbox`` (the built-in sandbox gateway, a
separate process) and ``adapters.stripe`` (Stripe Checkout); ``registry.gateway_get``
picks one, and ``adapters.base.AwaitingPaymentGateway`` is used while none is configured.

``start`` runs inside the order's transaction and must not do network I/O: it only says
where to send the shopper (a store URL that opens the hosted page). The gateway is
called outside any database transaction, with an idempotency key, by ``checkout_open``."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from .models import Payment


@dataclass(frozen=True)
class PaymentStart:
    redirect_url: str | None
    gateway_reference: str = ""


@dataclass(frozen=True)
class GatewaySession:
    """A hosted checkout session as the gateway reports it, in the store's terms. The
    card is described by brand, last four and expiry only: no adapter ever sees more."""

    session_id: str
    status: str  # a PaymentStatus value
    amount: Decimal
    currency: str
    checkout_url: str = ""
    payment_id: str = ""
    amount_refunded: Decimal = Decimal("0")
    card_brand: str = ""
    card_last4: str = ""
    card_exp_month: int | None = None
    card_exp_year: int | None = None
    failure_code: str = ""


@dataclass(frozen=True)
class GatewayEvent:
    """A verified webhook. ``session`` carries the state when the gateway signs it into
    the event (sandbox); otherwise ``session_id`` / ``payment_id`` say which payment to
    fetch fresh from the gateway (Stripe)."""

    event_id: str
    event_type: str
    session: GatewaySession | None
    session_id: str = ""
    payment_id: str = ""


@dataclass(frozen=True)
class GatewayRefund:
    refund_id: str
    session: GatewaySession | None


class Gateway(Protocol):
    name: str
    origin: str  # where the hosted page lives (the checkout form must be allowed to go there)

    def start(self, *, payment: Payment, return_url: str | None) -> PaymentStart: ...

    def checkout_open(self, *, payment: Payment, reference: str, success_url: str,
                      cancel_url: str, idempotency_key: str) -> GatewaySession: ...

    def checkout_get(self, *, session_id: str) -> GatewaySession: ...

    def refund(self, *, payment: Payment, amount: Decimal,
               idempotency_key: str) -> GatewayRefund: ...

    def webhook_parse(self, *, body: bytes, headers: dict[str, str]) -> GatewayEvent: ...

"""The gateway port. The store asks a gateway to start a payment and is told where to
send the shopper; card details are only ever entered on the gateway's own page.

Adapters: ``adapters.sandbox`` (the built-in sandbox gateway, a separate process) and
``adapters.stripe`` (Stripe Checkout). ``AwaitingPaymentGateway`` is used while none is
configured: the order waits for payment and nothing is charged.

``start`` runs inside the order's transaction and must not do network I/O: it only says
where to send the shopper (a store URL that opens the hosted page). The gateway is
called outside any database transaction, with an idempotency key, by ``checkout_open``."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from django.conf import settings
from django.core import signing
from django.urls import reverse

from .models import Payment

PAY_TOKEN_SALT = "strongroom.payments.pay"  # noqa: S105 - a salt name, not a secret


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


def pay_token(payment: Payment) -> str:
    """A bearer token for the store's pay/return URLs: whoever placed the order (browser
    session or API client) can send the shopper to pay without sharing a login. It opens
    no personal data, only paying and the order's status. Deterministic (no timestamp), so
    a retried session request is byte-identical and its idempotency key replays."""
    return signing.Signer(salt=PAY_TOKEN_SALT).sign(str(payment.order_id)).split(":", 1)[1]


def pay_token_valid(token: str, order_id: str) -> bool:
    try:
        signing.Signer(salt=PAY_TOKEN_SALT).unsign(f"{order_id}:{token}")
    except signing.BadSignature:
        return False
    return True


class HostedPageGateway:
    """Shared ``start``: send the shopper to the store's pay URL, which opens the hosted
    page outside the order's transaction."""

    name = "hosted"
    origin = ""

    def start(self, *, payment: Payment, return_url: str | None) -> PaymentStart:
        url = reverse("storefront:checkout_pay", args=[payment.order.reference])
        return PaymentStart(redirect_url=f"{url}?t={pay_token(payment)}")


class AwaitingPaymentGateway:
    """No payment provider yet: the order waits for payment, nothing is charged."""

    name = "none"
    origin = ""

    def start(self, *, payment: Payment, return_url: str | None) -> PaymentStart:
        return PaymentStart(redirect_url=None)


def gateway_get(name: str | None = None) -> Gateway:
    """The configured gateway (or the one called ``name``, for webhooks and reconcile)."""
    config = settings.STRONGROOM_PAYMENTS
    name = name or config.gateway
    if name == "sandbox" and config.sandbox_api_key:
        from .adapters.sandbox import SandboxGateway

        return SandboxGateway(config=config, ca_file=settings.STRONGROOM_TLS_CA)
    if name == "stripe" and config.stripe_secret_key:
        from .adapters.stripe import StripeGateway

        return StripeGateway(config=config)
    return AwaitingPaymentGateway()  # type: ignore[return-value]

"""The gateway port. The store asks a gateway to start a payment and is told where to
send the shopper; card details are only ever entered on the gateway's own page.

Adapters (the sandbox gateway, Stripe) implement ``Gateway``; until a real one is
configured, ``AwaitingPaymentGateway`` leaves the order awaiting payment."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from .models import Payment


@dataclass(frozen=True)
class PaymentStart:
    redirect_url: str | None
    gateway_reference: str = ""


class Gateway(Protocol):
    name: str

    def start(self, *, payment: Payment, return_url: str | None) -> PaymentStart: ...


class AwaitingPaymentGateway:
    """No payment provider yet: the order waits for payment, nothing is charged."""

    name = "none"

    def start(self, *, payment: Payment, return_url: str | None) -> PaymentStart:
        return PaymentStart(redirect_url=None)


def gateway_get() -> Gateway:
    return AwaitingPaymentGateway()

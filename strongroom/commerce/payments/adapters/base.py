"""The two ways a payment starts, shared by the adapters: send the shopper to the store's
pay URL (every hosted-page gateway), or wait for payment (no gateway configured)."""

from __future__ import annotations

from django.urls import reverse

from ..models import Payment
from ..ports import PaymentStart
from ..tokens import pay_token


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

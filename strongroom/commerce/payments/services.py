from __future__ import annotations

from .gateways import PaymentStart, gateway_get
from .models import Payment


def payment_start(*, order, return_url: str | None = None) -> tuple[Payment, PaymentStart]:
    """Open a payment for ``order`` at the configured gateway. Called inside the order's
    transaction by ``order_place``; the caller owns the order."""
    gateway = gateway_get()
    payment = Payment.objects.create(
        order=order, gateway=gateway.name, amount=order.total, currency=order.currency
    )
    start = gateway.start(payment=payment, return_url=return_url)
    if start.gateway_reference:
        payment.gateway_reference = start.gateway_reference
        payment.save(update_fields=["gateway_reference"])
    return payment, start

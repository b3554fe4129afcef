from strongroom.errors import ApplicationError, Conflict


class PaymentError(ApplicationError):
    code = "payment_error"


class GatewayUnavailable(PaymentError):
    """The gateway did not answer (down, slow, TLS failure): nothing may be assumed about
    what happened there, so callers retry with the same idempotency key."""

    code = "gateway_unavailable"
    status = 503


class GatewayRefused(PaymentError):
    """The gateway answered and said no (bad amount, not refundable, bad credentials)."""

    code = "gateway_refused"


class RefundNotAllowed(Conflict):
    code = "refund_not_allowed"


class WebhookInvalid(Exception):
    """A webhook that must not be believed. The message names the reason, never the body."""

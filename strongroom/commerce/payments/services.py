"""Payment writes. Every state change goes through ``payment_apply``: the shopper's
return, the gateway's webhooks, refunds and the reconciler all report what the gateway
says, and ``payment_apply`` moves the payment forward (never back) and the order with it.

Network calls to the gateway never run inside a database transaction: a slow gateway
must not hold row locks (or SQLite's write lock), and a crash mid-call must leave a
state that the next attempt — with the same idempotency key — or the reconciler repairs."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone

from strongroom.commerce import money
from strongroom.commerce.orders.models import Order, OrderStatus
from strongroom.commerce.orders.services import (
    order_event_add,
    order_mark_paid,
    order_mark_refunded,
)
from strongroom.protection.audit.events import Actor, AuditEvent
from strongroom.protection.audit.services import audit_record

from .alerting import payment_alerts_closed, payment_problem_flag
from .errors import GatewayRefused, GatewayUnavailable, RefundNotAllowed, WebhookInvalid
from .models import (
    SETTLED,
    STATUS_RANK,
    PageBaseline,
    Payment,
    PaymentAlert,
    PaymentStatus,
    Refund,
    RefundStatus,
    WebhookEvent,
)
from .monitor import monitor_reset
from .ports import GatewaySession, PaymentStart
from .registry import gateway_get

CENT = Decimal("0.01")


def payment_start(*, order, return_url: str | None = None) -> tuple[Payment, PaymentStart]:
    """Open a payment for ``order`` at the configured gateway. Called inside the order's
    transaction by ``checkout.order_place``; the caller owns the order. No network I/O."""
    gateway = gateway_get()
    payment = Payment.objects.create(
        order=order, gateway=gateway.name, amount=order.total, currency=order.currency
    )
    start = gateway.start(payment=payment, return_url=return_url)
    if start.gateway_reference:
        payment.gateway_reference = start.gateway_reference
        payment.save(update_fields=["gateway_reference"])
    return payment, start


def payment_checkout_open(*, payment: Payment, success_url: str, cancel_url: str) -> str:
    """The hosted payment page for ``payment``: the session opened before if there is one,
    else a new one. The idempotency key is the payment's id, so a timed-out attempt that
    did reach the gateway is answered with the same session — one payment, one session,
    never two charges. Raises GatewayUnavailable / GatewayRefused."""
    if payment.checkout_url and payment.status in (PaymentStatus.AWAITING, PaymentStatus.FAILED):
        return payment.checkout_url
    gateway = gateway_get(payment.gateway)
    session = gateway.checkout_open(
        payment=payment, reference=payment.order.reference, success_url=success_url,
        cancel_url=cancel_url, idempotency_key=f"checkout-{payment.pk}")
    if session.amount != payment.amount or session.currency != payment.currency:
        raise GatewayRefused("The payment service answered with a different amount.")
    Payment.objects.filter(pk=payment.pk, gateway_reference__in=["", session.session_id]).update(
        gateway_reference=session.session_id, checkout_url=session.checkout_url)
    payment.gateway_reference, payment.checkout_url = session.session_id, session.checkout_url
    return session.checkout_url


@dataclass(frozen=True)
class Applied:
    changed: bool
    order_paid: bool = False
    order_refunded: bool = False
    problem: str = ""


def payment_apply(*, payment: Payment, session: GatewaySession, source: str,
                  actor=None) -> Applied:
    """Record what the gateway reports and drive the order: paid once when the money is
    captured, refunded once when all of it went back. Idempotent and monotonic, so
    duplicates, out-of-order webhooks and racing return/webhook paths are all safe.
    The order's ORDER_PAID / ORDER_REFUNDED audit event is written in this transaction,
    by ``actor`` (the staff member behind a refund) or the store itself."""
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        if session.session_id != locked.gateway_reference:
            return Applied(False, problem="the session belongs to another payment")
        if session.amount != locked.amount or session.currency != locked.currency:
            problem = (f"gateway amount {session.amount} {session.currency} differs from the "
                       f"order's {locked.amount} {locked.currency}")
            payment_problem_flag(subject=locked.order.reference, message=problem,
                                 fingerprint=session.session_id)
            return Applied(False, problem=problem)
        changed = _record(locked, session)
        order = Order.objects.get(pk=locked.order_id)
        paid = refunded = False
        problem = ""
        if locked.status in SETTLED:
            paid = order_mark_paid(order=order, note=f"{_card(locked)} via {source}",
                                   source=source)
            if not paid and order.status == OrderStatus.CANCELLED:
                problem = "money was captured for a cancelled order: refund it"
                payment_problem_flag(subject=order.reference, message=problem,
                                     fingerprint=f"cancelled-{locked.pk}")
        if locked.status == PaymentStatus.REFUNDED:
            refunded = order_mark_refunded(order=order, actor=actor, source=source,
                                           note=f"refunded at the gateway ({source})")
    payment.refresh_from_db()
    return Applied(changed or paid or refunded, order_paid=paid, order_refunded=refunded,
                   problem=problem)


def _record(locked: Payment, session: GatewaySession) -> bool:
    new, old = session.status, locked.status
    forward = STATUS_RANK[new] > STATUS_RANK[old]
    retried = new == old == PaymentStatus.FAILED and session.failure_code != locked.failure_code
    more_refunded = session.amount_refunded > locked.amount_refunded
    if not (forward or retried or more_refunded):
        return False
    if forward or retried:
        locked.status = new
        locked.failure_code = session.failure_code if new == PaymentStatus.FAILED else ""
        if session.card_last4:
            locked.card_brand, locked.card_last4 = session.card_brand, session.card_last4
            locked.card_exp_month = session.card_exp_month
            locked.card_exp_year = session.card_exp_year
    if session.payment_id:
        locked.gateway_payment = session.payment_id
    locked.amount_refunded = max(locked.amount_refunded, session.amount_refunded)
    if locked.status in SETTLED and locked.paid_at is None:
        locked.paid_at = timezone.now()
    locked.save()
    return True


def _card(payment: Payment) -> str:
    return f"{payment.card_brand or 'card'} ending {payment.card_last4 or '????'}"


def payment_sync(*, payment: Payment, source: str = "return") -> Applied:
    """Ask the gateway how the payment stands and apply it (the shopper's return, the
    reconciler). Raises GatewayUnavailable when the gateway cannot be asked."""
    if not payment.gateway_reference:
        return Applied(False)
    session = gateway_get(payment.gateway).checkout_get(session_id=payment.gateway_reference)
    return payment_apply(payment=payment, session=session, source=source)


# --- Webhooks ------------------------------------------------------------------------------
def webhook_receive(*, gateway_name: str, body: bytes, headers: dict[str, str]) -> str:
    """Verify, de-duplicate and apply one webhook delivery; returns what happened.
    Raises WebhookInvalid (the caller answers 400 and logs without the payload).
    Raises GatewayUnavailable when the event's state must be fetched and cannot be (the
    caller answers 503 and the gateway retries)."""
    gateway = gateway_get(gateway_name)
    if gateway.name != gateway_name:
        raise WebhookInvalid(f"the {gateway_name} gateway is not configured")
    event = gateway.webhook_parse(body=body, headers=headers)
    if WebhookEvent.objects.filter(gateway=gateway_name, event_id=event.event_id[:128]).exists():
        return "duplicate"
    payment, session = _event_target(gateway_name, event)
    if payment is not None and session is None:  # fetch the current state, outside any lock
        session = gateway.checkout_get(session_id=payment.gateway_reference)
    with transaction.atomic():
        try:
            with transaction.atomic():
                WebhookEvent.objects.create(gateway=gateway_name, event_id=event.event_id[:128],
                                            event_type=event.event_type[:64])
        except IntegrityError:
            return "duplicate"
        if payment is None or session is None:
            return "ignored"
        applied = payment_apply(payment=payment, session=session, source="webhook")
    return "applied" if applied.changed else "no change"


def _event_target(gateway_name: str, event) -> tuple[Payment | None, GatewaySession | None]:
    payments = Payment.objects.filter(gateway=gateway_name)
    if event.session is not None:
        return payments.filter(gateway_reference=event.session.session_id).first(), \
            event.session
    if event.session_id:
        return payments.filter(gateway_reference=event.session_id).first(), None
    if event.payment_id:
        return payments.filter(gateway_payment=event.payment_id).first(), None
    return None, None


# --- Refunds ---------------------------------------------------------------------------------
def payment_refund(*, payment: Payment, amount: Decimal | str | None, actor,
                   reason: str = "") -> Refund:
    """Refund ``amount`` (all that is left when None) of a captured payment.

    The Refund row is written first and its id is the gateway's idempotency key: if the
    gateway does not answer, the refund stays pending and ``payment_refund_retry`` sends
    the very same request again — it can never be paid out twice. The caller checked that
    ``actor`` may refund (``console.permissions.can_refund``)."""
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        pending = sum((r.amount for r in locked.refunds.filter(status=RefundStatus.PENDING)),
                      Decimal("0"))
        left = locked.refundable - pending
        if locked.status not in SETTLED or left <= 0:
            raise RefundNotAllowed("Nothing left to refund on this payment.")
        value = _amount(amount, default=left, currency=locked.currency)
        if value > left:
            raise RefundNotAllowed(f"At most {left} {locked.currency} can be refunded.",
                                   field="amount")
        refund = Refund.objects.create(payment=locked, amount=value, actor=actor,
                                       reason=reason[:200])
        audit_record(event=AuditEvent.REFUND_REQUESTED, actor=actor, object=refund,
                     subject_id=locked.order.subject_id, fields=["amount"],
                     reason=_refund_text(refund, locked.currency))
    return payment_refund_retry(refund=refund)


def _refund_text(refund: Refund, currency: str) -> str:
    return f"{refund.amount} {currency}" + (f": {refund.reason}" if refund.reason else "")


def payment_refund_retry(*, refund: Refund) -> Refund:
    """Send (or re-send) a pending refund to the gateway."""
    if refund.status != RefundStatus.PENDING:
        return refund
    payment = refund.payment
    try:
        result = gateway_get(payment.gateway).refund(payment=payment, amount=refund.amount,
                                                      idempotency_key=f"refund-{refund.pk}")
    except GatewayRefused as exc:
        with transaction.atomic():
            Refund.objects.filter(pk=refund.pk).update(status=RefundStatus.FAILED,
                                                       error=exc.message[:200])
            audit_record(event=AuditEvent.REFUND_FAILED, actor=_refund_actor(refund),
                         object=refund, subject_id=payment.order.subject_id,
                         reason=f"{refund.amount} {payment.currency}: {exc.message}")
        refund.status = RefundStatus.FAILED
        raise
    except GatewayUnavailable:
        Refund.objects.filter(pk=refund.pk).update(error="the gateway did not answer")
        raise
    with transaction.atomic():
        Refund.objects.filter(pk=refund.pk).update(status=RefundStatus.SUCCEEDED,
                                                   gateway_reference=result.refund_id[:128],
                                                   error="")
        refund.status = RefundStatus.SUCCEEDED
        audit_record(event=AuditEvent.REFUND_SUCCEEDED, actor=_refund_actor(refund),
                     object=refund, subject_id=payment.order.subject_id, fields=["amount"],
                     reason=_refund_text(refund, payment.currency))
        order_event_add(order=payment.order, kind="refund", actor=refund.actor,
                        note=f"{refund.amount} {payment.currency} refunded"
                             f"{': ' + refund.reason if refund.reason else ''}")
        if result.session is not None:
            payment_apply(payment=payment, session=result.session, source="refund",
                          actor=refund.actor)
    return refund


def _refund_actor(refund: Refund):
    return refund.actor if refund.actor is not None else Actor.system("payments")


def _amount(raw: Decimal | str | None, *, default: Decimal, currency: str) -> Decimal:
    if raw in (None, ""):
        return default
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        raise RefundNotAllowed("Enter the amount as a number, like 12.50.",
                               field="amount") from None
    places = money.places(currency)  # JPY: whole yen only
    step = Decimal(1).scaleb(-places)
    if not value.is_finite() or value <= 0 or value != value.quantize(step, ROUND_HALF_UP):
        words = {1: "one", 2: "two", 3: "three"}
        raise RefundNotAllowed(f"Enter a positive amount with at most {words[places]} "
                               "decimals." if places else "Enter a positive whole amount.",
                               field="amount")
    return value


# --- Payment-page integrity and alerts --------------------------------------------------------
def page_baseline_accept(*, alert: PaymentAlert, actor) -> None:
    """Accept the page as the alert saw it as the new baseline (the caller checked that
    ``actor`` may). Alerts about scripts outside the inventory cannot be accepted: the
    script must be added to the inventory, with its hash, in code."""
    if alert.kind != PaymentAlert.Kind.PAGE_CHANGED:
        raise RefundNotAllowed("Only a changed page can be accepted as the new baseline.")
    with transaction.atomic():
        PageBaseline.objects.update_or_create(page=alert.subject, defaults={
            "fingerprint": alert.fingerprint, "details": alert.details, "accepted_by": actor})
        closing = list(PaymentAlert.objects.select_for_update().filter(
            subject=alert.subject, kind=alert.kind, resolved_at=None))
        PaymentAlert.objects.filter(pk__in=[a.pk for a in closing]).update(
            resolved_at=timezone.now(), resolved_by=actor)
        audit_record(event=AuditEvent.PAYMENT_PAGE_BASELINE_ACCEPTED, actor=actor,
                     object=alert, fields=["fingerprint"],
                     reason=f"{alert.subject} {alert.fingerprint[:16]}")
        payment_alerts_closed(alerts=closing, by=actor)
    monitor_reset()


def alert_resolve(*, alert: PaymentAlert, actor) -> bool:
    """Close a payment alert (PAYMENT_ALERT_RESOLVED); False if it was already closed.
    The caller checked that ``actor`` may manage payment security."""
    with transaction.atomic():
        closed = PaymentAlert.objects.filter(pk=alert.pk, resolved_at=None).update(
            resolved_at=timezone.now(), resolved_by=actor)
        if closed:
            audit_record(event=AuditEvent.PAYMENT_ALERT_RESOLVED, actor=actor, object=alert,
                         reason=f"{alert.kind} {alert.subject}")
            payment_alerts_closed(alerts=[alert], by=actor)
    return bool(closed)

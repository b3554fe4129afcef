from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class PaymentStatus(models.TextChoices):
    AWAITING = "awaiting", "Awaiting payment"
    FAILED = "failed", "Declined"
    AUTHORISED = "authorised", "Authorised"
    CAPTURED = "captured", "Captured"
    PARTIALLY_REFUNDED = "partially_refunded", "Partially refunded"
    REFUNDED = "refunded", "Refunded"


# Statuses only ever move forward along this order: a late or replayed webhook carrying an
# older state cannot undo a newer one (out-of-order delivery is normal for webhooks).
STATUS_RANK = {s: i for i, s in enumerate(PaymentStatus.values)}
SETTLED = {PaymentStatus.CAPTURED, PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.REFUNDED}


FAILURE_TEXT = {
    "card_declined": "your card was declined", "insufficient_funds": "insufficient funds",
    "expired_card": "the card has expired", "processing_error": "a processing error occurred",
    "authentication_failed": "the payment was not authenticated",
}


class Payment(models.Model):
    """What the store may keep about a payment under PCI DSS SAQ A: the gateway's
    reference, amounts and the card's brand, last four digits and expiry. Never a
    card number or CVC — there is deliberately no field that could hold one."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="payments")
    gateway = models.CharField(max_length=32)
    # The hosted checkout session (sandbox ``cs_…``, Stripe ``cs_…``) and, once the
    # shopper paid, the gateway's payment object (``pay_…`` / ``pi_…``).
    gateway_reference = models.CharField(max_length=128, blank=True)
    gateway_payment = models.CharField(max_length=128, blank=True)
    checkout_url = models.URLField(max_length=1000, blank=True)
    status = models.CharField(
        max_length=24, choices=PaymentStatus.choices, default=PaymentStatus.AWAITING
    )
    failure_code = models.CharField(max_length=40, blank=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    amount_refunded = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    currency = models.CharField(max_length=3)
    card_brand = models.CharField(max_length=20, blank=True)
    card_last4 = models.CharField(max_length=4, blank=True)
    card_exp_month = models.PositiveSmallIntegerField(null=True, blank=True)
    card_exp_year = models.PositiveSmallIntegerField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["gateway", "gateway_reference"]),
                   models.Index(fields=["gateway", "gateway_payment"])]
        constraints = [
            models.CheckConstraint(condition=Q(amount_refunded__gte=0),
                                   name="payment_refunded_not_negative"),
            models.CheckConstraint(condition=Q(card_last4="") | Q(card_last4__regex=r"^[0-9]{4}$"),
                                   name="payment_last4_is_four_digits"),
        ]

    @property
    def failure_text(self) -> str:
        return FAILURE_TEXT.get(self.failure_code, "the payment was declined")

    @property
    def refundable(self):
        return self.amount - self.amount_refunded if self.status in SETTLED else 0


class RefundStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class Refund(models.Model):
    """A refund asked for by a member of staff. Its id is the idempotency key sent to the
    gateway, so a retried request can never refund twice."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    status = models.CharField(max_length=12, choices=RefundStatus.choices,
                              default=RefundStatus.PENDING)
    gateway_reference = models.CharField(max_length=128, blank=True)
    reason = models.CharField(max_length=200, blank=True)
    error = models.CharField(max_length=200, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0),
                                              name="refund_amount_positive")]


class WebhookEvent(models.Model):
    """Every webhook event id seen, so a replayed or duplicated delivery is applied once."""

    gateway = models.CharField(max_length=32)
    event_id = models.CharField(max_length=128)
    event_type = models.CharField(max_length=64)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["gateway", "event_id"],
                                               name="webhook_event_once")]


class CspReport(models.Model):
    """A Content-Security-Policy violation a browser reported, folded by what was blocked
    where. Only the page path and the blocked origin are kept: no query string (it can
    carry tokens), no sample of the offending code."""

    document = models.CharField(max_length=300)
    directive = models.CharField(max_length=100)
    blocked = models.CharField(max_length=300)
    # About a payment page: these have their own room in the table, so junk about other
    # pages can never crowd them out (see ``cspreports``).
    payment_page = models.BooleanField(default=False)
    count = models.PositiveIntegerField(default=1)
    first_seen = models.DateTimeField(auto_now_add=True)
    last_seen = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-last_seen"]
        indexes = [models.Index(fields=["payment_page", "last_seen"])]
        constraints = [models.UniqueConstraint(fields=["document", "directive", "blocked"],
                                               name="csp_report_folded")]


class PageBaseline(models.Model):
    """The accepted scripts and security headers of a payment page (PCI DSS 11.6.1)."""

    page = models.CharField(max_length=100, unique=True)
    fingerprint = models.CharField(max_length=64)
    details = models.JSONField(default=dict)
    accepted_at = models.DateTimeField(auto_now=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")


class PaymentAlert(models.Model):
    """Something about payments a person must look at: a payment page whose scripts or
    headers changed, or an order the reconciler could not repair."""

    class Kind(models.TextChoices):
        PAGE_CHANGED = "page_changed", "Payment page changed"
        UNLISTED_SCRIPT = "unlisted_script", "Script not in the inventory"
        RECONCILE = "reconcile", "Reconciliation mismatch"

    kind = models.CharField(max_length=24, choices=Kind.choices)
    subject = models.CharField(max_length=100)  # a page name or an order reference
    message = models.CharField(max_length=500)
    fingerprint = models.CharField(max_length=64, blank=True)
    details = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["resolved_at", "kind"])]

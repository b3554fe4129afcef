from __future__ import annotations

import uuid

from django.db import models


class PaymentStatus(models.TextChoices):
    AWAITING = "awaiting", "Awaiting payment"
    AUTHORISED = "authorised", "Authorised"
    CAPTURED = "captured", "Captured"
    FAILED = "failed", "Failed"
    REFUNDED = "refunded", "Refunded"
    PARTIALLY_REFUNDED = "partially_refunded", "Partially refunded"


class Payment(models.Model):
    """What the store may keep about a payment under PCI DSS SAQ A: the gateway's
    reference, amounts and the card's brand, last four digits and expiry. Never a
    card number or CVC — there is deliberately no field that could hold one."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="payments")
    gateway = models.CharField(max_length=32)
    gateway_reference = models.CharField(max_length=128, blank=True)
    status = models.CharField(
        max_length=24, choices=PaymentStatus.choices, default=PaymentStatus.AWAITING
    )
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    card_brand = models.CharField(max_length=20, blank=True)
    card_last4 = models.CharField(max_length=4, blank=True)
    card_exp_month = models.PositiveSmallIntegerField(null=True, blank=True)
    card_exp_year = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

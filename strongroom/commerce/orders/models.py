from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from strongroom.protection.vault.fields import EncryptedCharField


class OrderStatus(models.TextChoices):
    PENDING = "pending", "Awaiting payment"
    PAID = "paid", "Paid"
    FULFILLED = "fulfilled", "Packed"
    SHIPPED = "shipped", "Shipped"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"
    REFUNDED = "refunded", "Refunded"


class Order(models.Model):
    """A placed order. ``reference`` is the unguessable public handle (never the pk);
    contact and address fields are personal data and are encrypted by the vault."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(max_length=20, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="orders",
    )
    status = models.CharField(
        max_length=16, choices=OrderStatus.choices, default=OrderStatus.PENDING
    )
    # The contact and address are encrypted under the account's subject (or, for a guest,
    # a subject of the order's own, made by ``services.order_create``). ``country`` stays
    # plaintext on purpose: a two-letter code shared by millions of people, needed in the
    # clear for shipping and tax reports; it identifies nobody without the encrypted
    # fields beside it.
    subject = models.ForeignKey("vault.Subject", on_delete=models.PROTECT, related_name="+")
    email = EncryptedCharField(max_length=254)
    full_name = EncryptedCharField(max_length=150)
    line1 = EncryptedCharField(max_length=200)
    line2 = EncryptedCharField(max_length=200, blank=True)
    city = EncryptedCharField(max_length=100)
    postal_code = EncryptedCharField(max_length=20)
    country = models.CharField(max_length=2)
    phone = EncryptedCharField(max_length=32, blank=True)
    shipping_method = models.CharField(max_length=32)
    currency = models.CharField(max_length=3)
    subtotal = models.DecimalField(max_digits=12, decimal_places=2)
    shipping_total = models.DecimalField(max_digits=10, decimal_places=2)
    total = models.DecimalField(max_digits=12, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"]),
                   # the console's order list seeks by (created_at, id), newest first
                   models.Index(fields=["created_at", "id"], name="orders_order_created")]
        constraints = [
            models.CheckConstraint(condition=Q(total__gte=0), name="order_total_not_negative"),
        ]

    personal_fields = ("email", "full_name", "line1", "line2", "city", "postal_code", "phone")

    def __str__(self) -> str:
        return self.reference


class OrderLine(models.Model):
    """A snapshot of what was bought: name, SKU and price as they were at checkout."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey(
        "catalog.Variant", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    product_name = models.CharField(max_length=330)
    sku = models.CharField(max_length=64)
    unit_price = models.DecimalField(max_digits=10, decimal_places=2)
    quantity = models.PositiveIntegerField()
    line_total = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["id"]


class OrderEvent(models.Model):
    """The order's own history, shown to staff and (in part) to the customer."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=32)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

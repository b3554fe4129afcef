"""Customer reads for staff screens. Personal fields (email, name, addresses) are never
filtered or ordered on here, so the vault can encrypt them without touching callers."""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet

from .errors import CustomerNotFound
from .models import Address

if TYPE_CHECKING:
    from strongroom.protection.accounts.models import User


def customer_list() -> QuerySet[User]:
    """Customer accounts (not staff), newest first, each annotated with ``order_count``."""
    return (
        get_user_model().objects.filter(is_staff=False)
        .annotate(order_count=Count("orders"))
        .order_by("-date_joined", "pk")
    )


def customer_get(*, customer_id: UUID | str) -> User:
    """A customer account; a staff account or an unknown id both read as not found."""
    try:
        return get_user_model().objects.get(pk=customer_id, is_staff=False)
    except (get_user_model().DoesNotExist, ValidationError, ValueError, TypeError):
        raise CustomerNotFound("No such customer.") from None


def address_list_for_customer(*, customer: User) -> QuerySet[Address]:
    return Address.objects.filter(user=customer)


def address_list_for_user(*, user) -> QuerySet[Address]:
    return Address.objects.filter(user=user)

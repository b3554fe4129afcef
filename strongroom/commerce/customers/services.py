"""Customer writes: managing saved addresses (accounts are opened by accounts.services).

Callers pass the authenticated ``user`` for address operations; the address itself is
resolved through ``selectors.address_get_for_user`` so it is always the caller's own."""

from __future__ import annotations

from dataclasses import dataclass, fields

from django.contrib.auth import get_user_model
from django.db import transaction

from .addressing import address_values_clean
from .errors import CustomerError
from .models import Address
from .selectors import address_list_for_user

MAX_ADDRESSES = 20


@dataclass(frozen=True)
class AddressDetails:
    full_name: str
    line1: str
    city: str
    postal_code: str
    country: str
    line2: str = ""
    phone: str = ""

    def cleaned(self) -> AddressDetails:
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        return AddressDetails(**address_values_clean(values, error=CustomerError))


def address_create(*, user, details: AddressDetails, make_default: bool = False) -> Address:
    details = details.cleaned()
    with transaction.atomic():
        # Lock the account row: parallel requests of one customer queue here, so the
        # limit and the single default hold on every database.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        existing = address_list_for_user(user=user)
        count = existing.count()
        if count >= MAX_ADDRESSES:
            raise CustomerError(f"You can save at most {MAX_ADDRESSES} addresses.",
                                code="too_many_addresses")
        is_default = make_default or count == 0
        if is_default:
            existing.filter(is_default=True).update(is_default=False)
        return Address.objects.create(
            user=user, is_default=is_default,
            **{f.name: getattr(details, f.name) for f in fields(details)},
        )


def address_delete(*, address: Address) -> None:
    """Delete the caller's address; if it was the default, the oldest one left takes over."""
    with transaction.atomic():
        was_default = address.is_default
        user_id = address.user_id
        address.delete()
        if was_default:
            successor = Address.objects.filter(user_id=user_id).order_by("created_at").first()
            if successor is not None:
                Address.objects.filter(pk=successor.pk).update(is_default=True)


def address_set_default(*, address: Address) -> Address:
    with transaction.atomic():
        Address.objects.filter(user_id=address.user_id, is_default=True).exclude(
            pk=address.pk).update(is_default=False)
        Address.objects.filter(pk=address.pk).update(is_default=True)
        address.is_default = True
    return address

"""Reads of customers' saved addresses. Every lookup is scoped to the owning account:
another customer's address id reads exactly like an unknown one (no IDOR oracle)."""

from __future__ import annotations

import uuid

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from strongroom.hiddensubjects import hidden_subject_ids
from strongroom.protection.vault.selectors import blind_index_candidates

from .errors import AddressNotFound, CustomerNotFound
from .models import Address


def address_list_for_user(*, user) -> QuerySet[Address]:
    return Address.objects.filter(user=user)


def address_get_for_user(*, user, address_id: object) -> Address:
    try:
        pk = uuid.UUID(str(address_id))
    except (TypeError, ValueError, AttributeError):
        raise AddressNotFound("No such address.") from None
    address = Address.objects.filter(user=user, pk=pk).first()
    if address is None:
        raise AddressNotFound("No such address.")
    return address


def address_default_for_user(*, user) -> Address | None:
    """The default address, else the oldest one, else None."""
    return address_list_for_user(user=user).first()


# --- Staff reads (console); callers checked staff access. Personal fields (email, name,
# addresses) are never filtered or ordered on, so the vault can encrypt them freely. -----
def customer_list(*, query: str = "") -> QuerySet:
    """Customer accounts (not staff), newest first.

    ``query`` finds customers by exact email (any letter case) or by the phone number
    of a saved address (any spacing), through the vault's blind indexes: personal
    fields are encrypted, so there is no partial or fuzzy matching. Without a query
    (browsing, routine work) the hidden subjects (canary records) are left out; sought by
    their exact address they are found, and showing them trips the alarm."""
    customers = get_user_model().objects.filter(is_staff=False)
    query = (query or "").strip()
    if query:
        customers = customers.filter(_customer_match(query))
    else:
        customers = customers.exclude(subject_id__in=hidden_subject_ids())
    return customers.order_by("-date_joined", "-pk")


def _customer_match(query: str):
    if "\x00" in query:
        return Q(pk__in=[])
    if "@" in query:
        return Q(email_index__in=blind_index_candidates("email", query))
    if sum(ch.isdigit() for ch in query) < 6:  # too short to be a phone number
        return Q(pk__in=[])
    phones = Address.objects.filter(phone_index__in=blind_index_candidates("phone", query))
    return Q(pk__in=phones.values("user_id"))


def customer_get(*, customer_id: object):
    """A customer account; a staff account or an unknown id both read as not found."""
    try:
        pk = uuid.UUID(str(customer_id))
    except (TypeError, ValueError, AttributeError):
        raise CustomerNotFound("No such customer.") from None
    customer = get_user_model().objects.filter(pk=pk, is_staff=False).first()
    if customer is None:
        raise CustomerNotFound("No such customer.")
    return customer

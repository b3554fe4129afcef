"""Customer writes: registering an account and managing saved addresses.

Callers pass the authenticated ``user`` for address operations; the address itself is
resolved through ``selectors.address_get_for_user`` so it is always the caller's own."""

from __future__ import annotations

from dataclasses import dataclass, fields

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

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


def customer_register(*, email: str, full_name: str, password: str):
    """Create a customer account. The email is stored lower-cased so one mailbox maps to
    one account; the password must pass the configured validators."""
    User = get_user_model()
    email = (email or "").strip().lower()
    full_name = (full_name or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise CustomerError("Enter a valid email address.", field="email") from None
    if not full_name or len(full_name) > 150:
        raise CustomerError("Enter your name (at most 150 characters).", field="full_name")
    if _email_taken(email):
        raise CustomerError("An account with this email already exists. Log in instead.",
                            code="email_taken", field="email")
    candidate = User(email=email, full_name=full_name)
    try:
        password_validation.validate_password(password, candidate)
    except ValidationError as exc:
        raise CustomerError(" ".join(exc.messages), code="weak_password",
                            field="password") from None
    try:
        with transaction.atomic():
            return User.objects.create_user(email=email, password=password,
                                            full_name=full_name)
    except IntegrityError:  # a parallel sign-up with the same email won the race
        raise CustomerError("An account with this email already exists. Log in instead.",
                            code="email_taken", field="email") from None


def _email_taken(email: str) -> bool:
    # The accounts manager owns the (case-insensitive) email lookup; going through it
    # keeps the query local when email becomes an encrypted field with a blind index.
    User = get_user_model()
    try:
        User.objects.get_by_natural_key(email)
    except User.DoesNotExist:
        return False
    except User.MultipleObjectsReturned:
        return True
    return True


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

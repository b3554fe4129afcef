"""Sign-up with email verification.

No account enumeration: an address that has an account gets the same page (and the
same password-hashing work); its owner gets an email instead of a second account.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from strongroom.protection.accounts import emails
from strongroom.protection.accounts.errors import AccountError
from strongroom.protection.accounts.internal.lookup import (
    emailed_link,
    user_by_email,
    user_from_uid,
)
from strongroom.protection.accounts.passwords import password_verdict
from strongroom.protection.accounts.throttling import mailthrottle
from strongroom.protection.accounts.users import user_create
from strongroom.protection.audit.events import Actor, AuditEvent
from strongroom.protection.audit.services import audit_record
from strongroom.publicurl import public_url


class EmailVerificationTokenGenerator(PasswordResetTokenGenerator):
    """Like reset tokens, bound to the verification state: used once, then dead."""

    key_salt = "strongroom.accounts.EmailVerificationTokenGenerator"

    def _make_hash_value(self, user: Any, timestamp: int) -> str:
        return f"{user.pk}{user.email_verified_at}{timestamp}{user.password}"


email_verification_tokens = EmailVerificationTokenGenerator()


def email_verification_send(*, request: HttpRequest, user: Any) -> None:
    token = email_verification_tokens.make_token(user)
    emails.verification(user=user, link=emailed_link("storefront:email_verify", user, token))


def signup_request(*, request: HttpRequest, email: str, full_name: str,
                   password: str) -> Any:
    """Open an unverified account and email a confirmation link, or, if the address
    has an account already, email its owner instead. The caller shows the same
    "check your inbox" page either way (the new account, or None, is returned only so
    the caller can record the sign-up form's consent answer for a NEW account).
    Raises AccountError for bad input, and TooManyRequests (429) past the per-client
    limit (``mailthrottle``)."""
    User = get_user_model()
    email = (email or "").strip().lower()
    full_name = (full_name or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise AccountError("Enter a valid email address.", field="email") from None
    if not full_name or len(full_name) > 150:
        raise AccountError("Enter your name (at most 150 characters).", field="full_name")
    candidate = User(email=email, full_name=full_name)
    verdict = password_verdict(password=password, user=candidate)
    if verdict.errors:
        raise AccountError(" ".join(verdict.errors), code="weak_password", field="password")
    mailthrottle.mail_client_require(request=request, kind="signup")  # before any hashing
    allowed = mailthrottle.mail_to_address_allowed(kind="signup", email=email)
    existing = user_by_email(email)
    if existing is not None:
        make_password(password)  # the same hashing work as a new account (timing)
        if not allowed:
            return None  # the same page, no email (see mailthrottle)
        emails.signup_existing(
            user=existing,
            login_link=public_url(reverse("storefront:login")),
            reset_link=public_url(reverse("storefront:password_reset")))
        return None
    try:
        with transaction.atomic():
            user = user_create(email=email, password=password, full_name=full_name,
                               email_verified=False)
            user.password_changed_at = timezone.now()
            user.save(update_fields=["password_changed_at"])
            audit_record(event=AuditEvent.ACCOUNT_CREATED, actor=Actor.guest(user.subject_id),
                         subject_id=user.subject_id, object=user, request=request)
            email_verification_send(request=request, user=user)
    except IntegrityError:
        return None  # signed up twice at once: the first one's email is on its way
    return user


def email_verify(*, request: HttpRequest, uidb64: str, token: str) -> Any:
    """Confirm the address; returns the user, or None for a bad/used/expired link."""
    user = user_from_uid(uidb64)
    if user is None or user.email_verified_at is not None:
        return None
    if not email_verification_tokens.check_token(user, token):
        return None
    with transaction.atomic():
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])
        audit_record(event=AuditEvent.EMAIL_VERIFIED, actor=user, subject_id=user.subject_id,
                     object=user, request=request)
    return user

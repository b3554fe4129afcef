"""Changing the sign-in email address: asked for with the password (and a fresh second
factor where one is enrolled, checked by the view), proven by a link sent to the new
address, announced to the old one.

Threats:
* a stolen or unattended session moving the account to the attacker's mailbox (then a
  password reset hands them the account): the password is asked for again (throttled like
  a sign-in), a second factor if enrolled, and the old address is told;
* a typo, or someone else's address: nothing changes until the new mailbox clicks;
* account enumeration: the answer is the same whether or not the new address already has
  an account (its owner is told someone tried, instead of the requester);
* a mail scanner "clicking" the link: the link opens a page, only its button changes;
* a stolen database: the pending address is encrypted, the token kept only as a hash.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from strongroom.protection.audit.events import AuditEvent
from strongroom.protection.audit.services import audit_record
from strongroom.publicurl import public_url

from . import emails
from .errors import AccountError
from .internal.lookup import user_by_email
from .internal.store import store
from .models import EmailChange

LINK_LIFETIME = dt.timedelta(hours=1)
REQUESTS_PER_HOUR = 5  # a signed-in probe of "which addresses have accounts" stays slow


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def email_change_request(*, request: HttpRequest, user: Any, new_email: str) -> None:
    """Send the confirmation link to ``new_email`` (or, if it has an account already, tell
    that account's owner). Assumes the caller checked the password (and a fresh second
    factor where enrolled). Raises AccountError for a bad or unchanged address, or past
    ``REQUESTS_PER_HOUR``."""
    new_email = (new_email or "").strip().lower()
    try:
        validate_email(new_email)
    except ValidationError:
        raise AccountError("Enter a valid email address.", field="new_email") from None
    if new_email == str(user.email).strip().lower():
        raise AccountError("That is already your email address.", field="new_email")
    if store().incr(f"accounts:email-change:{user.pk}", 3600) > REQUESTS_PER_HOUR:
        raise AccountError("You have asked for several changes in the last hour: please "
                           "wait a while before asking again.", code="too_many_requests")
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        EmailChange.objects.filter(user=user).delete()  # the newest request wins
        owner = user_by_email(new_email)
        if owner is not None:
            emails.notice_email_taken(to=new_email, owner=owner)
        else:
            EmailChange.objects.create(user=user, subject_id=user.subject_id,
                                       new_email=new_email, token_hash=_hash(token),
                                       expires_at=timezone.now() + LINK_LIFETIME)
            link = public_url(
                reverse("storefront:email_change_confirm", kwargs={"token": token}))
            emails.email_change_link(to=new_email, user=user, link=link,
                                     minutes=int(LINK_LIFETIME.total_seconds() // 60))
        audit_record(event=AuditEvent.EMAIL_CHANGE_REQUESTED, actor=user,
                     subject_id=user.subject_id, object=user, fields=["email"], request=request)


def email_change_pending(*, token: str) -> EmailChange | None:
    """The live request this link confirms, or None (unknown, used or expired)."""
    if not token or len(token) > 100:
        return None
    change = (EmailChange.objects.select_related("user")
              .filter(token_hash=_hash(token), expires_at__gt=timezone.now()).first())
    if change is None or not change.user.is_active:
        return None
    return change


def email_change_confirm(*, request: HttpRequest, token: str) -> Any:
    """Move the account to the new address; returns the user, or None for a dead link or
    an address taken in the meantime. The old address is told."""
    with transaction.atomic():
        change = email_change_pending(token=token)
        if change is None:
            return None
        user = change.user
        old = str(user.email)
        EmailChange.objects.filter(pk=change.pk).delete()  # single use, whatever follows
        user.email = str(change.new_email)
        user.email_verified_at = timezone.now()  # the new mailbox just proved itself
        try:
            with transaction.atomic():
                user.save(update_fields=["email", "email_index", "email_verified_at"])
        except IntegrityError:  # someone signed up with that address since the request
            return None
        audit_record(event=AuditEvent.EMAIL_CHANGED, actor=user, subject_id=user.subject_id,
                     object=user, fields=["email"], request=request)
        emails.notice_email_changed(to=old, user=user)
    return user

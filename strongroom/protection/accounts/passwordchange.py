"""Password change, reset and forced reset.

A new password signs out every other session and API token and notifies the owner. No
account enumeration: a reset request answers an unknown address as a known one.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from strongroom.protection.accounts import emails, sessions
from strongroom.protection.accounts.errors import AccountError
from strongroom.protection.accounts.internal.lookup import (
    emailed_link,
    user_by_email,
    user_from_uid,
)
from strongroom.protection.accounts.passwords import password_verdict
from strongroom.protection.accounts.throttling import mailthrottle
from strongroom.protection.accounts.tokens import api_token_revoke_all
from strongroom.protection.audit.events import Actor, AuditEvent
from strongroom.protection.audit.services import audit_record


def password_set(*, user: Any, password: str, request: HttpRequest | None,
                 event: AuditEvent, keep_current_session: bool) -> list[str]:
    """Set a checked password; sign out every other session and API token; notify.
    Returns notices for the person (e.g. the breach check was unavailable)."""
    verdict = password_verdict(password=password, user=user)
    if verdict.errors:
        raise AccountError(" ".join(verdict.errors), code="weak_password", field="password")
    with transaction.atomic():
        user.set_password(password)
        user.password_changed_at = timezone.now()
        user.password_reset_required = False
        if user.email_verified_at is None and event == AuditEvent.PASSWORD_RESET:
            user.email_verified_at = timezone.now()  # the reset link proved the mailbox
        user.save(update_fields=["password", "password_changed_at", "password_reset_required",
                                 "email_verified_at"])
        audit_record(event=event, actor=user, subject_id=user.subject_id, object=user,
                     request=request)
        keep = request if keep_current_session and request is not None else None
        sessions.sessions_revoke_all(user=user, keep=keep, request=request)
        api_token_revoke_all(user=user)
        emails.notice_password_changed(user=user)
    if keep is not None:
        old = request.session.session_key
        update_session_auth_hash(request, user)  # this browser stays, with a new id
        sessions.session_rekeyed(request=request, old_key=old)
    return verdict.notices


def password_reset_request(*, request: HttpRequest, email: str) -> None:
    """Email a reset link if the address has an account; nothing visible otherwise.
    Raises TooManyRequests (429) past the per-client limit; past the per-address limit
    the answer is the same and no email goes out (``mailthrottle``)."""
    mailthrottle.mail_client_require(request=request, kind="reset")  # before any hashing
    allowed = mailthrottle.mail_to_address_allowed(kind="reset", email=email)
    user = user_by_email((email or "").strip())
    if user is None or not user.is_active or not allowed:
        make_password(email or "")  # comparable work for unknown addresses (timing)
        emails.reset_decoy()  # and the same email-queueing work, rolled back
        return
    make_password(email or "")
    token = default_token_generator.make_token(user)
    with transaction.atomic():
        audit_record(event=AuditEvent.PASSWORD_RESET_REQUESTED, actor=Actor.guest(),
                     subject_id=user.subject_id, object=user, request=request)
        emails.password_reset(user=user,
                              link=emailed_link("storefront:password_reset_confirm", user, token),
                              minutes=settings.PASSWORD_RESET_TIMEOUT // 60)


def password_reset_user(*, uidb64: str, token: str) -> Any:
    """The account a reset link opens, or None (bad, used, expired: one answer).
    Any password change since the link was made invalidates it (the hash is in it)."""
    user = user_from_uid(uidb64)
    if user is None or not default_token_generator.check_token(user, token):
        return None
    return user


def password_reset_force(*, user: Any, actor: Any, request: HttpRequest | None = None,
                         reason: str = "") -> None:
    """An administrator's forced reset: every session signed out, API tokens revoked,
    a new password required at the next sign-in (and a reset link emailed when a
    request is at hand to build it). The caller checked the actor may do this."""
    with transaction.atomic():
        user.password_reset_required = True
        user.save(update_fields=["password_reset_required"])
        audit_record(event=AuditEvent.PASSWORD_RESET_FORCED, actor=actor, request=request,
                     subject_id=user.subject_id, object=user, reason=reason)
        sessions.sessions_revoke_all(user=user, actor=actor, request=request)
        api_token_revoke_all(user=user)
        if request is not None:
            token = default_token_generator.make_token(user)
            emails.password_reset(
                user=user, link=emailed_link("storefront:password_reset_confirm", user, token),
                minutes=settings.PASSWORD_RESET_TIMEOUT // 60)


def password_change_due(*, user: Any) -> bool:
    """Forced by an administrator, or (staff, when the operator enabled expiry) too old."""
    if user.password_reset_required:
        return True
    days = settings.STRONGROOM_ACCOUNTS.staff_password_expiry_days
    if not days or not user.is_staff:
        return False
    changed = user.password_changed_at or user.date_joined
    return (timezone.now() - changed).days >= days

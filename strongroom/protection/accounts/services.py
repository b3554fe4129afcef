"""Account writes: sign-in (password, then a second factor), sign-up with email
verification, password change, reset and forced reset.

No account enumeration: sign-in, sign-up and reset answer an unknown email exactly as
a known one (same page, same status) and spend the same password-hashing work.
"""

from __future__ import annotations

import enum
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import (
    SESSION_KEY,
    authenticate,
    get_user_model,
    login,
    logout,
    update_session_auth_hash,
)
from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import PasswordResetTokenGenerator, default_token_generator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from strongroom.protection.audit.events import Actor, AuditEvent
from strongroom.protection.audit.services import audit_record
from strongroom.publicurl import public_url

from . import emails, mailthrottle, mfa, sessions, throttle
from .errors import AccountError
from .passwords import password_verdict
from .selectors import MFA_VERIFIED_AT, PASSWORD_VERIFIED_AT

PENDING = "sr_pending_login"  # password checked, second factor still to come
PENDING_SECONDS = 5 * 60
BACKEND = "strongroom.protection.accounts.backends.EmailBackend"


class TooManyRequests(AccountError):
    code = "too_many_requests"
    status = 429

    def __init__(self, retry_after: int) -> None:
        wait = f"{max(1, round(retry_after / 60))} minutes" if retry_after >= 90 else (
            f"{max(1, retry_after)} seconds")
        super().__init__(f"Too many requests from your network. Please wait {wait} and "
                         "try again.")
        self.retry_after = retry_after


def _mail_client_check(request: HttpRequest, kind: str) -> None:
    blocked = mailthrottle.mail_client_check(kind=kind, ip=_ip(request))
    if blocked is not None:
        raise TooManyRequests(blocked.retry_after)


class LoginOutcome(enum.Enum):
    DONE = "done"  # signed in
    MFA = "mfa"  # password right; the second factor is next
    INVALID = "invalid"
    THROTTLED = "throttled"
    UNVERIFIED = "unverified"  # right password, email not confirmed yet (link re-sent)


@dataclass(frozen=True)
class LoginResult:
    outcome: LoginOutcome
    user: Any = None
    retry_after: int = 0


def _ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "")


def login_attempt(*, request: HttpRequest, email: str, password: str,
                  staff_only: bool = False) -> LoginResult:
    """Check a password under throttling. Unknown email, wrong password, a disabled
    account and (for the console) a customer account are one answer: INVALID."""
    email = (email or "").strip()
    blocked = throttle.throttle_check(email=email, ip=_ip(request))
    if blocked:
        return LoginResult(LoginOutcome.THROTTLED, retry_after=blocked.retry_after)
    user = authenticate(request, username=email, password=password)
    if user is None or (staff_only and not user.is_staff):
        target = user or _find(email)
        throttle.throttle_failure(email=email, ip=_ip(request), password=password, user=target)
        return LoginResult(LoginOutcome.INVALID)
    throttle.throttle_success(email=email, ip=_ip(request))
    if user.email_verified_at is None:
        if mailthrottle.mail_to_address_allowed(kind="verify", email=user.email):
            email_verification_send(request=request, user=user)
        return LoginResult(LoginOutcome.UNVERIFIED)
    return login_first_step_done(request=request, user=user, password_verified=True)


def login_first_step_done(*, request: HttpRequest, user: Any,
                          password_verified: bool) -> LoginResult:
    """The first step of a sign-in succeeded (the password, or an emailed single-use link
    such as an email confirmation or a staff invitation): sign in, or, when the account
    has a second factor, only remember who is signing in and ask for it (MFA). Every way
    into a session passes here, so none of them skips the second factor."""
    if mfa.mfa_enrolled(user=user):
        _pending_session(request, user)
        request.session[PENDING] = {"user": str(user.pk), "at": time.time(),
                                    "password": password_verified}
        return LoginResult(LoginOutcome.MFA, user=user)
    login_complete(request=request, user=user, mfa_verified=False,
                   password_verified=password_verified)
    return LoginResult(LoginOutcome.DONE, user=user)


def _pending_session(request: HttpRequest, user: Any) -> None:
    """A new session id for the half-signed-in state. Someone else signed in in this
    browser is signed out first (the second factor asked next is ``user``'s); the same
    person stays signed in, their tracked session following the new id."""
    current = getattr(request, "user", None)
    if current is not None and current.is_authenticated and current.pk != user.pk:
        logout(request)
    old = request.session.session_key
    request.session.cycle_key()
    sessions.session_rekeyed(request=request, old_key=old)


def login_pending_user(*, request: HttpRequest) -> Any:
    """The account whose password was checked in this session, while still fresh."""
    pending = request.session.get(PENDING)
    if not isinstance(pending, dict) or time.time() - float(pending.get("at", 0)) > PENDING_SECONDS:
        return None
    return get_user_model().objects.filter(pk=pending.get("user"), is_active=True).first()


def login_pending_complete(*, request: HttpRequest, user: Any) -> None:
    """The second factor of a pending sign-in was verified: finish it (the password
    counts as freshly typed only if the first step was the password)."""
    pending = request.session.get(PENDING)
    typed = bool(pending.get("password", True)) if isinstance(pending, dict) else False
    login_complete(request=request, user=user, mfa_verified=True, password_verified=typed)


def login_complete(*, request: HttpRequest, user: Any, mfa_verified: bool,
                   password_verified: bool) -> None:
    """Sign in: Django's login() gives the session a new id (a planted id is useless).
    ``password_verified``: this sign-in checked the password (not an emailed link), which
    counts as the password step-up for a while (``selectors.password_fresh``)."""
    request.session.pop(PENDING, None)
    before = request.session.session_key
    if SESSION_KEY in request.session:
        # Already signed in here (a second tab, or after a confirmation link): Django's
        # login() would keep the id for the same person; every sign-in gets a new one.
        request.session.cycle_key()
    now = time.time()
    if mfa_verified:  # kept through login()'s new session id
        request.session[MFA_VERIFIED_AT] = now
    if password_verified:
        request.session[PASSWORD_VERIFIED_AT] = now
    login(request, user, backend=BACKEND)
    if before != request.session.session_key:
        sessions.session_forget(session_key=before)


def password_confirm(*, request: HttpRequest, password: str) -> LoginResult:
    """The signed-in user types their password again (step-up without a second factor).

    Throttled and counted like a sign-in to the same account: a stolen session must not
    become a way to guess the password. Assumes the caller checked the user is signed in.
    """
    user = request.user
    email = user.email
    blocked = throttle.throttle_check(email=email, ip=_ip(request))
    if blocked:
        return LoginResult(LoginOutcome.THROTTLED, retry_after=blocked.retry_after)
    checked = authenticate(request, username=email, password=password)  # audits a failure
    if checked is None or checked.pk != user.pk:
        throttle.throttle_failure(email=email, ip=_ip(request), password=password, user=user)
        return LoginResult(LoginOutcome.INVALID)
    throttle.throttle_success(email=email, ip=_ip(request))
    request.session[PASSWORD_VERIFIED_AT] = time.time()
    return LoginResult(LoginOutcome.DONE, user=user)


def mfa_failed(*, request: HttpRequest, user: Any) -> throttle.Throttled | None:
    """Count a wrong second factor (6 digits are guessable without a limit)."""
    with transaction.atomic():
        audit_record(event=AuditEvent.MFA_CHALLENGE_FAILED, actor=Actor.guest(),
                     subject_id=user.subject_id, object=user, request=request)
    throttle.throttle_failure(email=str(user.pk), ip=_ip(request), user=user, scope="mfa")
    return throttle.throttle_check(email=str(user.pk), ip=_ip(request), scope="mfa")


def mfa_throttled(*, request: HttpRequest, user: Any) -> throttle.Throttled | None:
    return throttle.throttle_check(email=str(user.pk), ip=_ip(request), scope="mfa")


def mfa_succeeded(*, request: HttpRequest, user: Any) -> None:
    throttle.throttle_success(email=str(user.pk), ip=_ip(request), scope="mfa")


def _find(email: str) -> Any:
    try:
        return get_user_model()._default_manager.get_by_natural_key(email)
    except (get_user_model().DoesNotExist, ValueError):
        return None


# --- sign-up and email verification ----------------------------------------------------------

class EmailVerificationTokenGenerator(PasswordResetTokenGenerator):
    """Like reset tokens, bound to the verification state: used once, then dead."""

    key_salt = "strongroom.accounts.EmailVerificationTokenGenerator"

    def _make_hash_value(self, user: Any, timestamp: int) -> str:
        return f"{user.pk}{user.email_verified_at}{timestamp}{user.password}"


email_verification_tokens = EmailVerificationTokenGenerator()


def _link(request: HttpRequest | None, name: str, user: Any, token: str) -> str:
    """An emailed link: from the configured public origin, never the request's Host."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return public_url(reverse(name, kwargs={"uidb64": uid, "token": token}))


def email_verification_send(*, request: HttpRequest, user: Any) -> None:
    token = email_verification_tokens.make_token(user)
    emails.verification(user=user, link=_link(request, "storefront:email_verify", user, token))


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
    _mail_client_check(request, "signup")  # before any hashing work
    allowed = mailthrottle.mail_to_address_allowed(kind="signup", email=email)
    existing = _find(email)
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
            user = User.objects.create_user(email=email, password=password,
                                            full_name=full_name, email_verified_at=None)
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
    user = _user_from_uid(uidb64)
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


def _user_from_uid(uidb64: str) -> Any:
    try:
        pk = urlsafe_base64_decode(str(uidb64)[:64]).decode()
        return get_user_model().objects.filter(pk=pk, is_active=True).first()
    except (ValueError, TypeError, ValidationError, UnicodeDecodeError, OverflowError):
        return None


# --- passwords ---------------------------------------------------------------------------------

def password_set(*, user: Any, password: str, request: HttpRequest | None,
                 event: AuditEvent, keep_current_session: bool) -> list[str]:
    """Set a checked password; sign out every other session and API token; notify.
    Returns notices for the person (e.g. the breach check was unavailable)."""
    from .tokens import api_token_revoke_all

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
    _mail_client_check(request, "reset")  # before any hashing work
    allowed = mailthrottle.mail_to_address_allowed(kind="reset", email=email)
    user = _find((email or "").strip())
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
                              link=_link(request, "storefront:password_reset_confirm", user, token),
                              minutes=settings.PASSWORD_RESET_TIMEOUT // 60)


def password_reset_user(*, uidb64: str, token: str) -> Any:
    """The account a reset link opens, or None (bad, used, expired: one answer).
    Any password change since the link was made invalidates it (the hash is in it)."""
    user = _user_from_uid(uidb64)
    if user is None or not default_token_generator.check_token(user, token):
        return None
    return user


def password_reset_force(*, user: Any, actor: Any, request: HttpRequest | None = None,
                         reason: str = "") -> None:
    """An administrator's forced reset: every session signed out, API tokens revoked,
    a new password required at the next sign-in (and a reset link emailed when a
    request is at hand to build it). The caller checked the actor may do this."""
    from .tokens import api_token_revoke_all

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
                user=user, link=_link(request, "storefront:password_reset_confirm", user, token),
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


def customers_create_many(*, people: list[tuple[str, str]], subjects: list[Any]) -> list[Any]:
    """Customer accounts for an import: (email, full name) each, under the given new
    vault subjects (``vault.services.subjects_created``), in one INSERT. No password
    (set through "forgot password"); the address counts as verified, as for accounts an
    operator creates. The caller checked the emails are valid and not taken, and writes
    the audit event for the import."""
    user_model = get_user_model()
    now = timezone.now()
    users = []
    for (email, full_name), subject in zip(people, subjects, strict=True):
        user = user_model(email=user_model.objects.normalize_email(email), full_name=full_name,
                          subject=subject, email_verified_at=now, date_joined=now)
        user.set_unusable_password()
        users.append(user)
    return user_model.objects.bulk_create(users)

"""Sign-in: a password (or an emailed single-use link), then the second factor when the
account has one, under throttling.

No account enumeration: an unknown email, a wrong password and a disabled account are
one answer (INVALID) and spend the same password-hashing work.
"""

from __future__ import annotations

import enum
import time
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import SESSION_KEY, authenticate, get_user_model, login, logout
from django.db import transaction
from django.http import HttpRequest

from strongroom.protection.accounts import mfa, sessions
from strongroom.protection.accounts.internal.lookup import client_ip, user_by_email
from strongroom.protection.accounts.selectors import MFA_VERIFIED_AT, PASSWORD_VERIFIED_AT
from strongroom.protection.accounts.signin import signup
from strongroom.protection.accounts.throttling import mailthrottle, throttle
from strongroom.protection.audit.events import Actor, AuditEvent
from strongroom.protection.audit.services import audit_record

PENDING = "sr_pending_login"  # password checked, second factor still to come
PENDING_SECONDS = 5 * 60
BACKEND = "strongroom.protection.accounts.backends.EmailBackend"


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


def login_attempt(*, request: HttpRequest, email: str, password: str,
                  staff_only: bool = False) -> LoginResult:
    """Check a password under throttling. Unknown email, wrong password, a disabled
    account and (for the console) a customer account are one answer: INVALID."""
    email = (email or "").strip()
    blocked = throttle.throttle_check(email=email, ip=client_ip(request))
    if blocked:
        return LoginResult(LoginOutcome.THROTTLED, retry_after=blocked.retry_after)
    user = authenticate(request, username=email, password=password)
    if user is None or (staff_only and not user.is_staff):
        target = user or user_by_email(email)
        throttle.throttle_failure(email=email, ip=client_ip(request), password=password,
                                  user=target)
        return LoginResult(LoginOutcome.INVALID)
    throttle.throttle_success(email=email, ip=client_ip(request))
    if user.email_verified_at is None:
        if mailthrottle.mail_to_address_allowed(kind="verify", email=user.email):
            signup.email_verification_send(request=request, user=user)
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
    blocked = throttle.throttle_check(email=email, ip=client_ip(request))
    if blocked:
        return LoginResult(LoginOutcome.THROTTLED, retry_after=blocked.retry_after)
    checked = authenticate(request, username=email, password=password)  # audits a failure
    if checked is None or checked.pk != user.pk:
        throttle.throttle_failure(email=email, ip=client_ip(request), password=password, user=user)
        return LoginResult(LoginOutcome.INVALID)
    throttle.throttle_success(email=email, ip=client_ip(request))
    request.session[PASSWORD_VERIFIED_AT] = time.time()
    return LoginResult(LoginOutcome.DONE, user=user)


def mfa_failed(*, request: HttpRequest, user: Any) -> throttle.Throttled | None:
    """Count a wrong second factor (6 digits are guessable without a limit)."""
    with transaction.atomic():
        audit_record(event=AuditEvent.MFA_CHALLENGE_FAILED, actor=Actor.guest(),
                     subject_id=user.subject_id, object=user, request=request)
    throttle.throttle_failure(email=str(user.pk), ip=client_ip(request), user=user, scope="mfa")
    return throttle.throttle_check(email=str(user.pk), ip=client_ip(request), scope="mfa")


def mfa_throttled(*, request: HttpRequest, user: Any) -> throttle.Throttled | None:
    return throttle.throttle_check(email=str(user.pk), ip=client_ip(request), scope="mfa")


def mfa_succeeded(*, request: HttpRequest, user: Any) -> None:
    throttle.throttle_success(email=str(user.pk), ip=client_ip(request), scope="mfa")

"""Account writes, the entry point other apps call: sign-in (password, then a second
factor), sign-up with email verification, password change, reset and forced reset, and
account creation. Each lives in its module (``signin/``, ``passwordchange``, ``users``);
this one names them for the rest of the code base.
"""

from __future__ import annotations

from strongroom.protection.accounts.errors import TooManyRequests
from strongroom.protection.accounts.passwordchange import (
    password_change_due,
    password_reset_force,
    password_reset_request,
    password_reset_user,
    password_set,
)
from strongroom.protection.accounts.signin.flows import (
    BACKEND,
    PENDING,
    PENDING_SECONDS,
    LoginOutcome,
    LoginResult,
    login_attempt,
    login_complete,
    login_first_step_done,
    login_pending_complete,
    login_pending_user,
    mfa_failed,
    mfa_succeeded,
    mfa_throttled,
    password_confirm,
)
from strongroom.protection.accounts.signin.signup import (
    EmailVerificationTokenGenerator,
    email_verification_send,
    email_verification_tokens,
    email_verify,
    signup_request,
)
from strongroom.protection.accounts.users import customers_create_many, user_create

__all__ = [
    "BACKEND",
    "PENDING",
    "PENDING_SECONDS",
    "EmailVerificationTokenGenerator",
    "LoginOutcome",
    "LoginResult",
    "TooManyRequests",
    "customers_create_many",
    "email_verification_send",
    "email_verification_tokens",
    "email_verify",
    "login_attempt",
    "login_complete",
    "login_first_step_done",
    "login_pending_complete",
    "login_pending_user",
    "mfa_failed",
    "mfa_succeeded",
    "mfa_throttled",
    "password_change_due",
    "password_confirm",
    "password_reset_force",
    "password_reset_request",
    "password_reset_user",
    "password_set",
    "signup_request",
    "user_create",
]

"""Account emails: rendered here, kept encrypted in the outbox and sent by the worker
once the change has committed (``strongroom.protection.mailer``), never in the request.

Links are absolute URLs the callers build with ``strongroom.publicurl.public_url`` from
the configured ``STRONGROOM_PUBLIC_URL``, never from the request's Host header (whose
port ALLOWED_HOSTS does not check).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.template.loader import render_to_string

from strongroom.masking import mask_email
from strongroom.protection.mailer.services import mail_decoy, mail_queue


def _send(user: Any, subject: str, template: str, *, to: str | None = None,
          **context: Any) -> None:
    to = str(user.email or "") if to is None else to
    if not to or "@" not in to:
        return  # erased or missing address: nobody to tell
    body = render_to_string(f"accounts/email/{template}.txt", {
        "user": user, "store_name": settings.STRONGROOM_STORE_NAME, **context})
    mail_queue(subject_id=user.subject_id, to=to, kind=template, body=body,
               headline=f"{settings.STRONGROOM_STORE_NAME}: {subject}")


def verification(*, user: Any, link: str) -> None:
    _send(user, "confirm your email address", "verify", link=link)


def signup_existing(*, user: Any, login_link: str, reset_link: str) -> None:
    """Someone signed up with an address that already has an account: tell its owner
    (the page said "check your inbox" either way, so the form reveals nothing)."""
    _send(user, "you already have an account", "signup_existing",
          login_link=login_link, reset_link=reset_link)


def password_reset(*, user: Any, link: str, minutes: int) -> None:
    _send(user, "reset your password", "password_reset", link=link, minutes=minutes)


def reset_decoy() -> None:
    """A reset asked for an address with no account: the same queueing work, undone."""
    mail_decoy(template="accounts/email/password_reset.txt")


def notice_password_changed(*, user: Any) -> None:
    _send(user, "your password was changed", "password_changed")


def notice_new_device(*, user: Any, browser: str) -> None:
    _send(user, "new sign-in to your account", "new_device", browser=browser)


def notice_mfa_changed(*, user: Any, what: str) -> None:
    _send(user, "your sign-in security changed", "mfa_changed", what=what)


def email_change_link(*, to: str, user: Any, link: str, minutes: int) -> None:
    _send(user, "confirm your new email address", "email_change", to=to, link=link,
          minutes=minutes)


def notice_email_taken(*, to: str, owner: Any) -> None:
    """Someone asked to move another account to this address, which has an account."""
    _send(owner, "someone tried to use your email address", "email_taken", to=to)


def notice_email_changed(*, to: str, user: Any) -> None:
    """To the old address, after the change: the new one is shown masked."""
    _send(user, "your sign-in email address was changed", "email_changed", to=to,
          new_email=mask_email(user.email))

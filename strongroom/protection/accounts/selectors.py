"""Account reads other apps rely on. ``mfa_fresh`` is the contract for step-up checks:
whoever verifies a second factor stamps the session with ``MFA_VERIFIED_AT`` (seconds
since the epoch); revealing customer data, refunds and changes to email, password or
MFA require the stamp to be recent."""

from __future__ import annotations

import time
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.http import HttpRequest

from strongroom.protection.vault.selectors import blind_index_candidates

MFA_VERIFIED_AT = "mfa_verified_at"
STEP_UP_MAX_AGE = timedelta(minutes=5)
# Someone without a second factor proves it is them with the password instead: checked at
# sign-in or on the confirm page, within this window (adding the *first* factor with a
# stolen or unattended session would lock the real owner out of their own account).
PASSWORD_VERIFIED_AT = "password_verified_at"  # noqa: S105 - a session key
PASSWORD_STEP_UP_MAX_AGE = timedelta(minutes=15)


def mfa_fresh(*, request: HttpRequest, max_age: timedelta = STEP_UP_MAX_AGE,
              now: float | None = None) -> bool:
    return _stamp_fresh(request.session.get(MFA_VERIFIED_AT), max_age, now)


def password_fresh(*, request: HttpRequest, now: float | None = None) -> bool:
    return _stamp_fresh(request.session.get(PASSWORD_VERIFIED_AT), PASSWORD_STEP_UP_MAX_AGE, now)


def _stamp_fresh(stamp: object, max_age: timedelta, now: float | None) -> bool:
    if isinstance(stamp, bool) or not isinstance(stamp, int | float):
        return False
    age = (time.time() if now is None else now) - stamp
    return 0 <= age <= max_age.total_seconds()


def emails_taken(*, emails: list[str]) -> set[str]:
    """Which of ``emails`` (lower-cased) already have an account, found through the
    email's blind index (one query; the emails themselves are encrypted)."""
    by_index = {c: e.lower() for e in emails for c in blind_index_candidates("email", e)}
    found = get_user_model().objects.filter(email_index__in=list(by_index)).values_list(
        "email_index", flat=True)
    return {by_index[index] for index in found}

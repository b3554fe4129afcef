"""Account reads other apps rely on. ``mfa_fresh`` is the contract for step-up checks:
whoever verifies a second factor stamps the session with ``MFA_VERIFIED_AT`` (seconds
since the epoch); revealing customer data, refunds and changes to email, password or
MFA require the stamp to be recent."""

from __future__ import annotations

import time
from datetime import timedelta

from django.http import HttpRequest

MFA_VERIFIED_AT = "mfa_verified_at"
STEP_UP_MAX_AGE = timedelta(minutes=5)


def mfa_fresh(*, request: HttpRequest, max_age: timedelta = STEP_UP_MAX_AGE,
              now: float | None = None) -> bool:
    stamp = request.session.get(MFA_VERIFIED_AT)
    if isinstance(stamp, bool) or not isinstance(stamp, int | float):
        return False
    age = (time.time() if now is None else now) - stamp
    return 0 <= age <= max_age.total_seconds()

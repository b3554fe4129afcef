"""Limits on the emails anyone can make the store send without signing in (password
reset, sign-up with an address that has an account, a new confirmation link).

Threats: mail bombing a victim's inbox (20 resets in 3 s sent 20 emails), using the store
to spam, and burning CPU on password hashing (each request spends an argon2 hash so that
known and unknown addresses take the same time). Two counters, like email change has:

* per target address: at most ``EMAILS_PER_ADDRESS`` an hour of each kind. Counted for
  every typed address, whether or not it has an account, and over the limit the answer
  is the same page, only without the email: nothing tells whether the account exists.
* per client address (an IPv6 /64 counts as one): at most ``REQUESTS_PER_CLIENT`` an
  hour, then a 429 before any work is done. That answer is about the client, never about
  the target address, so it is no oracle either.

Keys are HMACs under SECRET_KEY (no address is stored), in the shared throttle store.
"""

from __future__ import annotations

from django.http import HttpRequest

from strongroom.protection.accounts.errors import TooManyRequests
from strongroom.protection.accounts.internal.lookup import client_ip
from strongroom.protection.accounts.internal.store import store
from strongroom.protection.accounts.throttling.throttle import Throttled, _address, _pseudonym

WINDOW = 3600
EMAILS_PER_ADDRESS = 3
REQUESTS_PER_CLIENT = 20


def mail_client_check(*, kind: str, ip: str) -> Throttled | None:
    """Count one request from ``ip``; refuse it (and the next hour's) past the limit."""
    backend = store()
    key = f"sr:mail:{kind}:client:{_pseudonym('address', f'mail:{_address(ip)}')}"
    wait = backend.blocked_for(key)
    if wait:
        return Throttled(wait)
    if backend.incr(key, WINDOW) > REQUESTS_PER_CLIENT:
        backend.block(key, WINDOW)
        return Throttled(WINDOW)
    return None


def mail_to_address_allowed(*, kind: str, email: str) -> bool:
    """Count one email of ``kind`` to ``email`` (known or not); False past the limit."""
    who = _pseudonym("account", f"mail:{(email or '').strip().lower()}")
    return store().incr(f"sr:mail:{kind}:to:{who}", WINDOW) <= EMAILS_PER_ADDRESS


def mail_client_require(*, request: HttpRequest, kind: str) -> None:
    """``mail_client_check`` for a request: TooManyRequests (429) past the limit."""
    blocked = mail_client_check(kind=kind, ip=client_ip(request))
    if blocked is not None:
        raise TooManyRequests(blocked.retry_after)

"""Sign-in throttling: per account and per source address, with growing delays.

Threats: online guessing of one account (the account counter), one address guessing
many accounts (the address counter) and credential stuffing / password spraying (two
detectors raising an alert). Counters are keyed by HMAC under SECRET_KEY, so the store
(database or Redis) holds no email address, IP address or password.

Customers are throttled softly (delays capped at 15 minutes, never a hard lock an
attacker could use to keep them out); staff accounts lock for 30 minutes after 10
failures (PCI DSS 8.3.4). Refused attempts do not count, so an attacker cannot keep
extending the delay of someone else's account. Unknown emails are throttled exactly
like customers' (no account oracle).
"""

from __future__ import annotations

import ipaddress
import logging
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.crypto import salted_hmac

from strongroom.protection.accounts.internal.store import store
from strongroom.protection.alerts.models import Severity
from strongroom.protection.alerts.services import alert_raise
from strongroom.protection.audit.events import Actor, AuditEvent
from strongroom.protection.audit.services import audit_record

logger = logging.getLogger("strongroom.security")

ACCOUNT_WINDOW = 24 * 3600
ACCOUNT_FREE = 5  # failures before delays start
CUSTOMER_MAX_DELAY = 15 * 60
STAFF_LOCK_AFTER = 10
STAFF_LOCK_SECONDS = 30 * 60
ADDRESS_WINDOW = 3600
ADDRESS_FREE = 30
ADDRESS_MAX_DELAY = 3600
STUFFING_WINDOW = 3600
STUFFING_ACCOUNTS_PER_ADDRESS = 10  # distinct accounts failing from one address
SPRAY_ACCOUNTS_PER_PASSWORD = 5  # distinct accounts failing with one password


@dataclass(frozen=True)
class Throttled:
    retry_after: int  # seconds


def growing_delay(failures: int, *, free: int, cap: int) -> int:
    """0 up to ``free`` failures, then 1, 2, 4, 8 ... seconds, at most ``cap``."""
    over = failures - free
    return 0 if over <= 0 else min(cap, 2 ** min(over - 1, 30))


def _pseudonym(kind: str, value: str) -> str:
    return salted_hmac(f"strongroom.accounts.throttle.{kind}", value,
                       algorithm="sha256").hexdigest()[:40]


def _address(ip: str) -> str:
    """An IPv6 client controls its whole /64: count the network, not the address."""
    try:
        address = ipaddress.ip_address((ip or "").strip())
    except ValueError:
        return "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def _keys(scope: str, email: str, ip: str) -> tuple[str, str]:
    who = _pseudonym("account", f"{scope}:{(email or '').strip().lower()}")
    where = _pseudonym("address", f"{scope}:{_address(ip)}")
    return f"sr:{scope}:acct:{who}", f"sr:{scope}:addr:{where}"


def throttle_check(*, email: str, ip: str, scope: str = "login") -> Throttled | None:
    """Refuse before any password is checked while a delay or lock is running."""
    account, address = _keys(scope, email, ip)
    wait = max(store().blocked_for(account), store().blocked_for(address))
    return Throttled(wait) if wait else None


def throttle_failure(*, email: str, ip: str, password: str = "", user: Any = None,
                     scope: str = "login") -> None:
    """Count a failed attempt; start delays, lock staff, raise stuffing alerts."""
    backend = store()
    account, address = _keys(scope, email, ip)
    failures = backend.incr(account, ACCOUNT_WINDOW)
    is_staff = bool(user is not None and user.is_staff)
    if is_staff and failures >= STAFF_LOCK_AFTER:
        backend.block(account, STAFF_LOCK_SECONDS)
        if failures == STAFF_LOCK_AFTER:
            _staff_locked(user)
    else:
        delay = growing_delay(failures, free=ACCOUNT_FREE, cap=CUSTOMER_MAX_DELAY)
        if delay:
            backend.block(account, delay)
    from_here = backend.incr(address, ADDRESS_WINDOW)
    delay = growing_delay(from_here, free=ADDRESS_FREE, cap=ADDRESS_MAX_DELAY)
    if delay:
        backend.block(address, delay)
    _detect_stuffing(account, address, password, scope)


def throttle_success(*, email: str, ip: str, scope: str = "login") -> None:
    """A correct password clears the account's counter (not the address's)."""
    account, _ = _keys(scope, email, ip)
    store().reset(account)


def throttle_unlock(*, email: str, scope: str = "login") -> None:
    """An administrator confirmed the person's identity: lift a lockout now."""
    account, _ = _keys(scope, email, "")
    store().reset(account)


def _detect_stuffing(account: str, address: str, password: str, scope: str) -> None:
    backend = store()
    accounts_here = backend.add_member(address + ":accounts", account[-16:], STUFFING_WINDOW)
    if accounts_here == STUFFING_ACCOUNTS_PER_ADDRESS:
        _alert("credential_stuffing",
               f"{accounts_here} accounts failed to sign in from one source within an hour "
               f"(source {address[-12:]})")
    if password:
        spray = f"sr:{scope}:pw:{_pseudonym('password', password)[:16]}"
        accounts_with = backend.add_member(spray, account[-16:], STUFFING_WINDOW)
        if accounts_with == SPRAY_ACCOUNTS_PER_PASSWORD:
            _alert("password_spraying",
                   f"one password failed against {accounts_with} accounts within an hour")


def _alert(kind: str, detail: str) -> None:
    logger.warning("security alert: %s: %s", kind, detail)
    with transaction.atomic():
        alert_raise(kind=f"signin.{kind}", source="accounts", severity=Severity.HIGH,
                    summary=detail)
        audit_record(event=AuditEvent.CREDENTIAL_STUFFING_SUSPECTED,
                     actor=Actor.system("throttle"), reason=detail)


def _staff_locked(user: Any) -> None:
    logger.warning("security alert: staff account %s locked after %d failed sign-ins",
                   user.pk, STAFF_LOCK_AFTER)
    with transaction.atomic():
        alert_raise(kind="signin.staff_locked", source="accounts", severity=Severity.MEDIUM,
                    summary=f"staff account {user.pk} locked for 30 minutes after "
                            f"{STAFF_LOCK_AFTER} failed sign-ins",
                    detail={"staff_id": str(user.pk)})
        audit_record(event=AuditEvent.ACCOUNT_LOCKED, actor=Actor.system("throttle"),
                     subject_id=user.subject_id, object=user)

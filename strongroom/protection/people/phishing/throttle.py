"""Throttling the landing page, which anyone can reach without signing in.

Threat: guessing links (enumerating targets) or hammering the page. A link is a signed
target id, so guessing cannot succeed; what is left to limit is the work and the noise.
Misses (a tampered, made-up or expired link) are counted per client network (an IPv6
/64 is one client) in the sign-in throttle's shared store: the first few are free, then
growing delays (up to 15 minutes per client; the address counter also caps a source at
30 misses an hour before delays of up to an hour). While a client is delayed every link
gets the same 429, valid or not, before any lookup, so the answer says nothing about a
link. Keys are HMACs: the store holds no address.
"""

from __future__ import annotations

import ipaddress

from strongroom.protection.accounts.throttling.throttle import throttle_check, throttle_failure

SCOPE = "phishing-landing"


def _client(ip: str) -> str:
    try:
        address = ipaddress.ip_address((ip or "").strip())
    except ValueError:
        return "unknown"
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is None:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(getattr(address, "ipv4_mapped", None) or address)


def landing_wait(*, ip: str) -> int:
    """Seconds this client must wait before the landing page answers again (0: now)."""
    blocked = throttle_check(email=_client(ip), ip=ip, scope=SCOPE)
    return blocked.retry_after if blocked else 0


def landing_miss(*, ip: str) -> None:
    """Count a link that led nowhere."""
    throttle_failure(email=_client(ip), ip=ip, scope=SCOPE)

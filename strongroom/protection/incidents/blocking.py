"""Blocking an address range from the incident page: every request from it gets 403
(``middleware.BlockedRangeMiddleware``) until the block expires or is lifted.

The caller (the console view) has checked ``incidents.manage`` and a recent second
factor. Guard rails: a range wider than /8 (IPv4) or /32 (IPv6) is refused (a typo must
not close the store to a continent), and so is a range holding the address of the person
blocking it (they would lock themselves out of the console mid-incident). The active
ranges are cached per process for a few seconds; the acting process sees a change at once.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import time
import uuid
from typing import Any

from django.db import transaction
from django.utils import timezone

from strongroom.protection.audit.context import of_request
from strongroom.protection.audit.events import AuditEvent

from .containment import _done, _rehearsed
from .errors import IncidentError
from .models import BlockedRange, Incident

CACHE_SECONDS = 5.0
MAX_HOURS = 24 * 30
WIDEST = {4: 8, 6: 32}  # the shortest prefix accepted, per IP version

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def network_parse(value: str) -> Network:
    """A CIDR range or a single address, normalised; IncidentError with the reason."""
    text = str(value or "").strip()
    try:
        network = ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise IncidentError(f"{text[:60]!r} is not an address range: write it like "
                            "203.0.113.0/24 or 2001:db8::/48.") from None
    if network.prefixlen < WIDEST[network.version]:
        raise IncidentError(f"{network} is too wide: block at most a "
                            f"/{WIDEST[network.version]} at a time.")
    return network


def range_block(*, incident: Incident, by: Any, network: str, hours: int,
                request: Any = None) -> BlockedRange | None:
    """Block ``network`` for ``hours``; None in a tabletop exercise (rehearsed only)."""
    parsed = network_parse(network)
    if not isinstance(hours, int) or not 1 <= hours <= MAX_HOURS:
        raise IncidentError(f"Block for 1 to {MAX_HOURS} hours.")
    mine = of_request(request).ip if request is not None else ""
    try:
        if mine and ipaddress.ip_address(mine) in parsed:
            raise IncidentError(f"{parsed} holds your own address: you would lock yourself "
                                "out.")
    except ValueError:
        pass  # no usable address of our own to protect
    if _rehearsed(incident=incident, by=by, request=request, what=f"block {parsed}"):
        return None
    until = timezone.now() + dt.timedelta(hours=hours)
    with transaction.atomic():
        block = BlockedRange.objects.create(incident=incident, network=str(parsed),
                                            expires_at=until,
                                            by=by if getattr(by, "pk", None) else None)
        _done(incident=incident, by=by, request=request,
              event=AuditEvent.CONTAINMENT_RANGE_BLOCKED,
              text=f"Blocked {parsed} until {until:%Y-%m-%d %H:%M} UTC.")
    blocked_cache_clear()
    return block


def range_unblock(*, incident: Incident, by: Any, block_id: Any, request: Any = None) -> None:
    block = BlockedRange.objects.filter(pk=block_id, incident=incident,
                                        lifted_at=None).first() if _is_uuid(block_id) else None
    if block is None:
        raise IncidentError("No active block with that number on this incident.")
    with transaction.atomic():
        BlockedRange.objects.filter(pk=block.pk).update(lifted_at=timezone.now())
        _done(incident=incident, by=by, request=request,
              event=AuditEvent.CONTAINMENT_RANGE_UNBLOCKED, text=f"Lifted the block on "
                                                                 f"{block.network}.")
    blocked_cache_clear()


def _is_uuid(value: Any) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def blocks_active(*, incident: Incident | None = None):
    rows = BlockedRange.objects.filter(lifted_at=None, expires_at__gt=timezone.now())
    return rows.filter(incident=incident) if incident is not None else rows


_cache: tuple[float, tuple[Network, ...]] | None = None


def blocked_networks() -> tuple[Network, ...]:
    global _cache
    now = time.monotonic()
    if _cache is not None and now - _cache[0] < CACHE_SECONDS:
        return _cache[1]
    nets = tuple(ipaddress.ip_network(n) for n in
                 blocks_active().values_list("network", flat=True))
    _cache = (now, nets)
    return nets


def blocked_cache_clear() -> None:
    global _cache
    _cache = None


def address_blocked(ip: str) -> bool:
    networks = blocked_networks()
    if not networks or not ip:
        return False
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    if address.version == 6 and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # ::ffff:203.0.113.7 is 203.0.113.7
    return any(address in net for net in networks if net.version == address.version)

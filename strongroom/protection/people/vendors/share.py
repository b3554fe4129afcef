"""The sharing gate: the one function every outbound integration passes personal data
through before it leaves the store (the Stripe adapter, the email sender, future ones).

Threat: a vendor leaks what it was sent (T9), or code starts sending a vendor more than
the register says (a new field in a payload, a debugging change). So the payload is cut
down to the fields registered for that vendor, an unregistered or inactive vendor gets
nothing (fail closed), and what was shared is recorded: categories and record counts,
never values (VENDOR_DATA_SHARED).
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from strongroom.protection.audit.events import Actor, AuditEvent
from strongroom.protection.audit.services import audit_record
from strongroom.protection.people.errors import VendorUnregistered
from strongroom.protection.people.models import Vendor

logger = logging.getLogger("strongroom.people.share")
OPERATIONAL = "system.operations"  # fideslang: not personal data


def vendor_share(*, vendor: str, payload: dict[str, Any], records: int = 1,
                 purpose: str = "") -> dict[str, Any]:
    """``payload`` restricted to the top-level fields registered for ``vendor``.
    Raises VendorUnregistered (after recording VENDOR_SHARE_REFUSED) when the vendor has
    no active register entry. Dropped field names are logged and recorded, not values."""
    entry = Vendor.objects.filter(key=vendor, active=True).first()
    if entry is None:
        with transaction.atomic():
            audit_record(event=AuditEvent.VENDOR_SHARE_REFUSED,
                         actor=Actor.system("sharing-gate"), object=("vendor", vendor),
                         fields=sorted(payload), reason=f"{vendor}: not in the register")
        raise VendorUnregistered(f"{vendor} is not in the vendor register: nothing sent.")
    kept = {k: v for k, v in payload.items() if k in entry.fields}
    dropped = sorted(set(payload) - set(kept))
    categories = sorted({entry.fields[k] for k in kept if entry.fields[k] != OPERATIONAL})
    reason = f"{vendor}: {records} record(s)"
    if purpose:
        reason += f" for {purpose}"
    if dropped:
        reason += f"; dropped unregistered fields: {', '.join(dropped)}"
        logger.warning("sharing gate dropped fields not registered for %s: %s", vendor,
                       ", ".join(dropped))
    with transaction.atomic():
        audit_record(event=AuditEvent.VENDOR_DATA_SHARED, actor=Actor.system("sharing-gate"),
                     object=entry, fields=categories, reason=reason)
    return kept

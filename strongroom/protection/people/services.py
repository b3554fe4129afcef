"""People's public writes for other apps: the sharing gate every outbound integration
calls, training and vendor register services (see the sub-packages)."""

from __future__ import annotations

from strongroom.protection.people.errors import VendorUnregistered
from strongroom.protection.people.reviews.services import (
    access_review_decide,
    access_review_start,
)
from strongroom.protection.people.training.services import quiz_start, quiz_submit
from strongroom.protection.people.vendors.services import (
    vendor_assess,
    vendor_create,
    vendor_update,
)
from strongroom.protection.people.vendors.share import vendor_share

__all__ = ["VendorUnregistered", "access_review_decide", "access_review_start", "quiz_start",
           "quiz_submit", "vendor_assess", "vendor_create", "vendor_share", "vendor_update"]

"""People's public writes for other apps and the console: the sharing gate every
outbound integration calls, training, vendor register, access review and phishing
services (see the sub-packages)."""

from __future__ import annotations

from strongroom.protection.people.errors import VendorUnregistered
from strongroom.protection.people.phishing.campaigns import (
    phishing_campaign_cancel,
    phishing_campaign_schedule,
)
from strongroom.protection.people.phishing.services import (
    phishing_click,
    phishing_landing,
    phishing_report,
)
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

__all__ = ["VendorUnregistered", "access_review_decide", "access_review_start",
           "phishing_campaign_cancel", "phishing_campaign_schedule", "phishing_click",
           "phishing_landing", "phishing_report", "quiz_start", "quiz_submit",
           "vendor_assess", "vendor_create", "vendor_share", "vendor_update"]

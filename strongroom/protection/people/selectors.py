"""People's public reads for other apps (e.g. the privacy policy lists the vendors)."""

from __future__ import annotations

from strongroom.protection.people.reviews.selectors import (
    access_review_item_get,
    access_review_items,
    access_review_open,
    access_reviews_completed,
)
from strongroom.protection.people.training.selectors import (
    modules_required,
    training_missing,
    training_status,
)
from strongroom.protection.people.vendors.selectors import (
    integrations_unregistered,
    vendor_flags,
    vendor_get,
    vendors_list,
)

__all__ = ["access_review_item_get", "access_review_items", "access_review_open",
           "access_reviews_completed", "integrations_unregistered", "modules_required",
           "training_missing", "training_status", "vendor_flags", "vendor_get", "vendors_list"]

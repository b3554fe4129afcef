"""People's public reads for other apps and the console (e.g. the privacy policy lists
the vendors; the console's training, vendor, review and phishing pages)."""

from __future__ import annotations

from strongroom.protection.people.phishing.selectors import (
    campaign_counts,
    phishing_campaigns,
    phishing_recipients,
    phishing_templates,
)
from strongroom.protection.people.reviews.selectors import (
    access_review_item_get,
    access_review_items,
    access_review_open,
    access_reviews_completed,
)
from strongroom.protection.people.training.pages import module_page, training_rows
from strongroom.protection.people.training.selectors import (
    modules_required,
    training_missing,
    training_status,
)
from strongroom.protection.people.vendors.selectors import (
    QUESTIONS as VENDOR_QUESTIONS,
)
from strongroom.protection.people.vendors.selectors import (
    integrations_unregistered,
    vendor_flags,
    vendor_get,
    vendors_list,
)

__all__ = ["VENDOR_QUESTIONS", "access_review_item_get", "access_review_items",
           "access_review_open", "access_reviews_completed", "campaign_counts",
           "integrations_unregistered", "module_page", "modules_required",
           "phishing_campaigns", "phishing_recipients", "phishing_templates",
           "training_missing", "training_rows", "training_status", "vendor_flags",
           "vendor_get", "vendors_list"]

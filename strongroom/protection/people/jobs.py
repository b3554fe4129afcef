"""People's scheduled and background work: training and vendor reminders, access
reviews, and sending phishing-simulation campaigns (ids only on the queue)."""

from __future__ import annotations

from strongroom.jobs.registry import background, scheduled
from strongroom.protection.alerts.services import alert_raise
from strongroom.protection.people.phishing.campaigns import (
    phishing_campaign_release,
    phishing_campaigns_due,
)
from strongroom.protection.people.reviews.services import access_review_due
from strongroom.protection.people.training.reminders import training_reminders_send
from strongroom.protection.people.vendors.selectors import vendor_flags, vendors_list


@scheduled("vendors-review-due", schedule="0 6 * * *",
           description="Alert when a vendor's review is due or a certification lapses")
def vendors_review_due() -> dict[str, int]:
    """Idempotent: one open alert per vendor (dedupe key), counted again each day; high
    once a review is overdue or a certification has expired (medium while it is near)."""
    raised = 0
    for vendor in vendors_list(active_only=True):
        flags = [f for f in vendor_flags(vendor=vendor) if "review" in f or "expire" in f]
        if flags:
            lapsed = any("overdue" in f or "expired" in f for f in flags)
            alert_raise(kind="vendors.review_due", source="people",
                        severity="high" if lapsed else "medium",
                        summary=f"vendor {vendor.key}: " + "; ".join(flags),
                        detail={"vendor": vendor.key, "flags": flags},
                        # A lapse is a new, high alert even while a reminder is open.
                        dedupe_key=f"vendors.review_due:{vendor.key}"
                                   + (":lapsed" if lapsed else ""))
            raised += 1
    return {"vendors_flagged": raised}


@scheduled("access-review", schedule="0 7 * * *",
           description="Start the 6-monthly access review; alert when one is overdue")
def access_review() -> dict[str, int]:
    return access_review_due()


@scheduled("phishing-campaigns-due", schedule="*/5 * * * *",
           description="Send the phishing-simulation campaigns whose time has come")
def phishing_campaigns_job() -> dict[str, int]:
    """Idempotent: a campaign is released once (row lock, status), then no longer due."""
    return phishing_campaigns_due()


@background("phishing-campaign-send", retries=3)
def campaign_send_task(*, campaign_id: int) -> dict[str, int]:
    """A campaign scheduled for now; sends nothing if it was cancelled meanwhile."""
    return {"emails": phishing_campaign_release(campaign_id=campaign_id)}


@scheduled("training-reminders", schedule="0 8 * * *",
           description="Email staff whose training expires within 30 days (once each)")
def training_reminders() -> dict[str, int]:
    return training_reminders_send()

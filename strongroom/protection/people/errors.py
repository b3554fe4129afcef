"""People errors: one base class, a stable code per refusal."""

from __future__ import annotations

from strongroom.errors import ApplicationError, NotFound


class PeopleError(ApplicationError):
    code = "people"
    status = 400


class ModuleNotFound(NotFound):
    code = "people.module_not_found"


class AttemptInvalid(PeopleError):
    """Unknown, someone else's, another module's, expired or already graded: one
    message for all, and nothing changes (a replay or a swapped module is no oracle)."""

    code = "people.attempt_invalid"
    status = 409


class CampaignNotFound(NotFound):
    code = "people.campaign_not_found"


class CampaignClosed(PeopleError):
    """Cancelling a campaign that was already sent (or cancelled): nothing changes."""

    code = "people.campaign_closed"
    status = 409


class QuizPaused(PeopleError):
    """Too many failed attempts lately: the quiz opens again later (no guessing through
    retakes)."""

    code = "people.quiz_paused"
    status = 429


class VendorNotFound(NotFound):
    code = "people.vendor_not_found"


class VendorUnregistered(PeopleError):
    """An outbound integration named a vendor with no active register entry: nothing is
    sent (the sharing gate fails closed)."""

    code = "people.vendor_unregistered"
    status = 503

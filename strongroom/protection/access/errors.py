"""Access errors: one base class, a stable code per refusal."""

from __future__ import annotations

from strongroom.errors import ApplicationError, NotFound


class AccessError(ApplicationError):
    code = "access"
    status = 400


class StaffNotFound(NotFound):
    code = "access.staff_not_found"


class StaffChangeRefused(AccessError):
    """Would lock the store out (the last owner) or is not the owner's to make."""

    code = "access.staff_change_refused"
    status = 409


class InviteInvalid(AccessError):
    """Unknown, used, expired or revoked: one message for all (no oracle)."""

    code = "access.invite_invalid"
    status = 404


class RevealRateLimited(AccessError):
    code = "access.reveal_rate_limited"
    status = 429


class TrainingRequired(AccessError):
    """A gate (people's training gate) refuses this staff member customer data."""

    code = "access.training_required"
    status = 403


class RevealsFrozen(AccessError):
    """Reveals and exports are frozen store-wide (incident containment)."""

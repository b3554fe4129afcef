"""Audit errors: one base class, a stable code per failure."""

from __future__ import annotations

from enum import StrEnum

from strongroom.errors import ApplicationError


class AuditErrorCode(StrEnum):
    NOT_IN_TRANSACTION = "audit.not_in_transaction"
    INVALID_VALUE = "audit.invalid_value"
    CHECKPOINT_REFUSED = "audit.checkpoint_refused"


class AuditError(ApplicationError):
    code = "audit"
    status = 500  # recording is not a thing a user's input can make fail


class AuditUsageError(AuditError):
    """A caller bug: outside a transaction, or a value the log cannot hold."""


class CheckpointRefused(AuditError):
    """The log does not extend the previous checkpoint: signing now would launder
    tampering, so the checkpoint is refused and `strongroom audit verify` says why."""

    code = AuditErrorCode.CHECKPOINT_REFUSED
    status = 409

"""One error class for the privacy app, with a code per case (mapped to a clear message)."""

from __future__ import annotations

from enum import StrEnum


class PrivacyErrorCode(StrEnum):
    ALREADY_ERASED = "privacy.already_erased"
    NOT_ALLOWED = "privacy.not_allowed"
    NOT_VERIFIED = "privacy.not_verified"
    BAD_TOKEN = "privacy.bad_token"  # noqa: S105 - an error code
    NOT_FOUND = "privacy.not_found"
    BAD_INPUT = "privacy.bad_input"


class PrivacyError(Exception):
    def __init__(self, message: str, *, code: PrivacyErrorCode) -> None:
        super().__init__(message)
        self.code = code

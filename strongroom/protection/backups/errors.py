"""Backup errors: one code per thing that can go wrong, each a one-line message with the
fix. ``exit_status`` follows the command contract: 2 = usage or missing data, 1 = found
problems (a tampered archive, a failed verification)."""

from __future__ import annotations

from enum import StrEnum

from strongroom.errors import ApplicationError


class BackupErrorCode(StrEnum):
    NO_DESTINATIONS = "no_destinations"
    NO_RECOVERY_KEY = "no_recovery_key"
    NOT_FOUND = "not_found"
    DESTINATION = "destination"  # unreachable, read-only, full
    TAMPERED = "tampered"  # checksum or signature
    WRONG_KEY = "wrong_key"
    KEY_CONFLICT = "key_conflict"
    LEDGER = "ledger"
    VERIFY_FAILED = "verify_failed"
    SNAPSHOT = "snapshot"
    RESTORE = "restore"


_EXIT_ONE = {BackupErrorCode.TAMPERED, BackupErrorCode.VERIFY_FAILED,
             BackupErrorCode.RESTORE, BackupErrorCode.SNAPSHOT}


class BackupError(ApplicationError):
    def __init__(self, code: BackupErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    @property
    def exit_status(self) -> int:
        return 1 if self.code in _EXIT_ONE else 2

    def __str__(self) -> str:
        return self.message


class DestinationError(BackupError):
    def __init__(self, url: str, message: str) -> None:
        super().__init__(BackupErrorCode.DESTINATION, f"{url}: {message}")
        self.url = url

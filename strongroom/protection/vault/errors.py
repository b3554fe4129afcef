"""Vault errors. Callers outside the vault catch these, never a crypto library type.

``DecryptionError`` is deliberately uninformative: wrong KEK, missing key file,
unknown key id, truncated or edited ciphertext and ciphertext moved to another
row/column all raise it with the same message, so error responses and timings of
the error path are no oracle for an attacker probing the database.
"""

from __future__ import annotations

from enum import StrEnum

from strongroom.config import ConfigError
from strongroom.errors import ApplicationError


class VaultErrorCode(StrEnum):
    DECRYPTION_FAILED = "vault.decryption_failed"
    KEY_CONFIG = "vault.key_config"
    KEY_IN_USE = "vault.key_in_use"
    SUBJECT_ERASED = "vault.subject_erased"
    UNSUPPORTED = "vault.unsupported"


class VaultError(ApplicationError):
    code = "vault"
    status = 500


class DecryptionError(VaultError):
    code = VaultErrorCode.DECRYPTION_FAILED
    MESSAGE = "stored data could not be decrypted"

    def __init__(self) -> None:
        super().__init__(self.MESSAGE)


class KeyConfigError(VaultError, ConfigError):
    """Keys are missing or unsafe; the message says how to fix it in one line."""

    code = VaultErrorCode.KEY_CONFIG


class KeyInUseError(VaultError):
    code = VaultErrorCode.KEY_IN_USE
    status = 409


class SubjectErasedError(VaultError):
    """A write for a crypto-shredded subject: new data needs a new subject."""

    code = VaultErrorCode.SUBJECT_ERASED
    status = 409


class UnsupportedOperation(VaultError):
    """An ORM path that would bypass encryption (bulk_update, filter on ciphertext)."""

    code = VaultErrorCode.UNSUPPORTED

"""Second factors, one module each, the way django-allauth groups them: ``totp``
(an authenticator app), ``passkeys`` (WebAuthn passkeys and security keys) and
``recovery_codes``; ``base`` holds what they share. The flows and the crypto are in
``accounts/internal/``.

Writes are services (``<factor>_<action>``) recording their audit event in the same
transaction; notices go out on commit. Callers have authenticated ``user`` and, to
change factors someone already has, checked a fresh MFA (``selectors.mfa_fresh``).
This package names every public service, so callers write ``mfa.totp_verify(...)``.
"""

from strongroom.protection.accounts.errors import CeremonyFailed
from strongroom.protection.accounts.mfa.base import mfa_enrolled, mfa_stamp
from strongroom.protection.accounts.mfa.passkeys import (
    CHALLENGE_KEY,
    MAX_BODY,
    MAX_PASSKEYS,
    party_of,
    passkey_auth_begin,
    passkey_auth_finish,
    passkey_list,
    passkey_register_begin,
    passkey_register_finish,
    passkey_remove,
)
from strongroom.protection.accounts.mfa.recovery_codes import (
    recovery_code_use,
    recovery_codes_generate,
    recovery_codes_left,
)
from strongroom.protection.accounts.mfa.totp import (
    totp_confirm,
    totp_confirmed,
    totp_pending,
    totp_provisioning,
    totp_remove,
    totp_verify,
)

__all__ = [
    "CHALLENGE_KEY",
    "MAX_BODY",
    "MAX_PASSKEYS",
    "CeremonyFailed",
    "mfa_enrolled",
    "mfa_stamp",
    "party_of",
    "passkey_auth_begin",
    "passkey_auth_finish",
    "passkey_list",
    "passkey_register_begin",
    "passkey_register_finish",
    "passkey_remove",
    "recovery_code_use",
    "recovery_codes_generate",
    "recovery_codes_left",
    "totp_confirm",
    "totp_confirmed",
    "totp_pending",
    "totp_provisioning",
    "totp_remove",
    "totp_verify",
]

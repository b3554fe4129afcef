"""WebAuthn ceremonies with py_webauthn (Duo Labs). The challenge is made here, kept in
the server-side session and used once; the relying party id is the host the browser
talked to (Django's ALLOWED_HOSTS has vetted it), the origin must be that host over
HTTPS, and a signature counter that goes backwards refuses the credential (a cloned
authenticator)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import webauthn
from webauthn.helpers import bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from strongroom.protection.accounts.errors import CeremonyFailed

MAX_BODY = 64 * 1024


@dataclass(frozen=True)
class Party:
    rp_id: str
    origin: str
    name: str


def registration_options(party: Party, *, user_id: bytes, user_name: str,
                         display_name: str, existing: list[str]) -> tuple[str, str]:
    """(options JSON for the browser, challenge to keep in the session)."""
    options = webauthn.generate_registration_options(
        rp_id=party.rp_id, rp_name=party.name, user_id=user_id, user_name=user_name,
        user_display_name=display_name,
        exclude_credentials=[PublicKeyCredentialDescriptor(id=webauthn.base64url_to_bytes(c))
                             for c in existing],
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.PREFERRED),
    )
    return webauthn.options_to_json(options), bytes_to_base64url(options.challenge)


@dataclass(frozen=True)
class NewCredential:
    credential_id: str
    public_key: bytes
    sign_count: int


def registration_verify(party: Party, *, response: Any, challenge: str) -> NewCredential:
    try:
        verified = webauthn.verify_registration_response(
            credential=_credential(response),
            expected_challenge=webauthn.base64url_to_bytes(challenge),
            expected_rp_id=party.rp_id, expected_origin=party.origin)
    except (WebAuthnException, ValueError, TypeError, KeyError) as exc:
        raise CeremonyFailed() from exc
    return NewCredential(bytes_to_base64url(verified.credential_id),
                         verified.credential_public_key, verified.sign_count)


def authentication_options(party: Party, *, allowed: list[str]) -> tuple[str, str]:
    options = webauthn.generate_authentication_options(
        rp_id=party.rp_id,
        allow_credentials=[PublicKeyCredentialDescriptor(id=webauthn.base64url_to_bytes(c))
                           for c in allowed],
        user_verification=UserVerificationRequirement.PREFERRED)
    return webauthn.options_to_json(options), bytes_to_base64url(options.challenge)


def response_credential_id(response: Any) -> str:
    data = _credential(response)
    raw = data.get("rawId") or data.get("id") if isinstance(data, dict) else None
    if not isinstance(raw, str) or len(raw) > 1400:
        raise CeremonyFailed()
    return raw


def authentication_verify(party: Party, *, response: Any, challenge: str, public_key: bytes,
                          sign_count: int) -> int:
    """The new signature counter, or CeremonyFailed."""
    try:
        verified = webauthn.verify_authentication_response(
            credential=_credential(response),
            expected_challenge=webauthn.base64url_to_bytes(challenge),
            expected_rp_id=party.rp_id, expected_origin=party.origin,
            credential_public_key=public_key, credential_current_sign_count=sign_count)
    except (WebAuthnException, ValueError, TypeError, KeyError) as exc:
        raise CeremonyFailed() from exc
    return verified.new_sign_count


def _credential(response: Any) -> dict:
    if isinstance(response, str | bytes):
        if len(response) > MAX_BODY:
            raise CeremonyFailed()
        try:
            response = json.loads(response)
        except ValueError as exc:
            raise CeremonyFailed() from exc
    if not isinstance(response, dict):
        raise CeremonyFailed()
    return response

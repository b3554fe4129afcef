"""Password policy (NIST SP 800-63B, PCI DSS 4.0 8.3.6): length by role, no composition
rules, common passwords and passwords built from the person's details or the store's
name refused, and a zxcvbn strength floor. The same rules drive the live guidance in the
browser (static/accounts/password-strength.js), but only this side decides.

The optional breached-password check lives in ``internal/breached.py``: it needs the
network, so forms call ``password_verdict`` rather than a Django validator.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError

from strongroom.protection.accounts.internal import breached

STAFF_MIN_LENGTH = 12  # PCI DSS 4.0 8.3.6
ABSOLUTE_MIN_LENGTH = 8  # NIST SP 800-63B floor; the customer setting cannot go below
MAX_LENGTH = 4096  # far beyond the 64 NIST asks to allow; bounds the hashing work
MIN_SCORE = 3  # zxcvbn 0..4: "safely unguessable: moderate protection from offline attack"
_WORD = re.compile(r"[^\W_]{3,}", re.UNICODE)


def min_length(user: Any) -> int:
    if user is not None and getattr(user, "is_staff", False):
        return STAFF_MIN_LENGTH
    return max(ABSOLUTE_MIN_LENGTH, settings.STRONGROOM_ACCOUNTS.customer_password_min)


def personal_words(user: Any = None, *extra: str) -> list[str]:
    """Words an attacker who knows the person and the store would try first."""
    words: list[str] = []
    for value in (
        str(getattr(user, "email", "") or "") if user is not None else "",
        str(getattr(user, "full_name", "") or "") if user is not None else "",
        settings.STRONGROOM_STORE_NAME, *extra,
    ):
        words += [w.lower() for w in _WORD.findall(str(value))]
    return sorted(set(words), key=len, reverse=True)


class RoleMinimumLengthValidator:
    def validate(self, password: str, user: Any = None) -> None:
        needed = min_length(user)
        if len(password) < needed:
            raise ValidationError(
                f"Use at least {needed} characters: a few unrelated words make a good one.",
                code="password_too_short",
            )

    def get_help_text(self) -> str:
        return (f"At least {min_length(None)} characters ({STAFF_MIN_LENGTH} for staff). "
                "No special characters required: a few unrelated words work well.")


class MaximumLengthValidator:
    def validate(self, password: str, user: Any = None) -> None:
        if len(password) > MAX_LENGTH:
            raise ValidationError(f"Use at most {MAX_LENGTH} characters.",
                                  code="password_too_long")

    def get_help_text(self) -> str:
        return ""


class PersonalDetailsValidator:
    """Refuses a password that is mostly the person's name, email or the store's name
    ("CoraCustomer2024", "strongroom-demo-store"): the first guesses of a targeted attack."""

    def validate(self, password: str, user: Any = None) -> None:
        rest = "".join(_WORD.findall(password.lower())) or password.lower()
        for word in personal_words(user):
            rest = rest.replace(word, "")
        if len(rest) < ABSOLUTE_MIN_LENGTH:
            raise ValidationError(
                "Don't build your password from your name, your email or the store's name.",
                code="password_personal",
            )

    def get_help_text(self) -> str:
        return "Not built from your name, email or the store's name."


class StrengthValidator:
    """zxcvbn's estimate, told to know the person's details and the store name."""

    def validate(self, password: str, user: Any = None) -> None:
        result = strength(password, user)
        if result.score < MIN_SCORE:
            raise ValidationError(" ".join(["This password is too easy to guess.",
                                            *result.hints]).strip(), code="password_weak")

    def get_help_text(self) -> str:
        return "Hard to guess: we estimate its strength as you type."


@dataclass(frozen=True)
class Strength:
    score: int
    hints: list[str] = field(default_factory=list)


def strength(password: str, user: Any = None) -> Strength:
    from zxcvbn import zxcvbn  # here: it loads large word lists, needed only to check one

    result = zxcvbn(password[:72], user_inputs=personal_words(user))  # its input limit
    feedback = result.get("feedback") or {}
    hints = [h for h in [feedback.get("warning") or "", *feedback.get("suggestions", [])] if h]
    return Strength(score=int(result["score"]), hints=hints[:2])


@dataclass(frozen=True)
class Verdict:
    errors: list[str]
    notices: list[str]


def password_verdict(*, password: str, user: Any) -> Verdict:
    """Every rule, plus the breached-password check when the operator enabled it.
    A check that cannot reach its service fails open with a notice for the person."""
    try:
        password_validation.validate_password(password, user)
        errors: list[str] = []
    except ValidationError as exc:
        errors = list(exc.messages)
    notices: list[str] = []
    if not errors and settings.STRONGROOM_ACCOUNTS.breached_password_check:
        found = breached.times_seen(password)
        if found is None:
            notices.append("We could not check your password against known data breaches "
                           "just now. It was accepted; consider checking it later.")
        elif found > 0:
            errors.append("This password has appeared in a data breach, so attackers try it "
                          "first. Please choose another.")
    return Verdict(errors=errors, notices=notices)


def guidance(user: Any = None) -> dict[str, Any]:
    """What the browser-side meter needs to give the same advice as the server."""
    return {"min": min_length(user), "words": " ".join(personal_words(user)),
            "score": MIN_SCORE}

"""Creating accounts. Every account has its own vault subject (its personal data is
encrypted under that subject's key), made here, next to the account: ``User.save`` does
no hidden work and refuses an account without one.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from strongroom.protection.vault.services import subject_create


def user_create(*, email: str, password: str | None, full_name: str = "",
                is_staff: bool = False, is_superuser: bool = False, is_active: bool = True,
                email_verified: bool = True) -> Any:
    """One account under a new vault subject, in one transaction. ``password=None``
    leaves it unusable (set through "forgot password" or an invitation).
    ``email_verified``: an operator's or a command's accounts are trusted; self-service
    sign-up passes False and proves the mailbox first. The caller writes the audit event."""
    with transaction.atomic():
        return get_user_model().objects.create_user(
            email, password, subject=subject_create(), full_name=full_name,
            is_staff=is_staff, is_superuser=is_superuser, is_active=is_active,
            email_verified_at=timezone.now() if email_verified else None)


def customers_create_many(*, people: list[tuple[str, str]], subjects: list[Any]) -> list[Any]:
    """Customer accounts for an import: (email, full name) each, under the given new
    vault subjects (``vault.services.subjects_created``), in one INSERT. No password
    (set through "forgot password"); the address counts as verified, as for accounts an
    operator creates. The caller checked the emails are valid and not taken, and writes
    the audit event for the import."""
    user_model = get_user_model()
    now = timezone.now()
    users = []
    for (email, full_name), subject in zip(people, subjects, strict=True):
        user = user_model(email=user_model.objects.normalize_email(email), full_name=full_name,
                          subject=subject, email_verified_at=now, date_joined=now)
        user.set_unusable_password()
        users.append(user)
    return user_model.objects.bulk_create(users)

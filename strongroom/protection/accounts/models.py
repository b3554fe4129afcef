from __future__ import annotations

import uuid

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone

from strongroom.protection.vault.fields import BlindIndexField, EncryptedCharField


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        from django.db import transaction

        from strongroom.protection.vault.services import subject_create

        with transaction.atomic(using=self._db):
            user = self.model(email=self.normalize_email(email).strip(), **extra)
            if user.subject_id is None:
                user.subject = subject_create()
            user.set_password(password)
            user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)

    def get_by_natural_key(self, username: str) -> User:
        """The account whose email matches ``username`` case-insensitively, found through
        the email's blind index (the email itself is encrypted and cannot be compared)."""
        candidates = _email_candidates(username)
        if len(candidates) == 1:  # one live index key: the usual case, a plain equality
            return self.get(email_index=candidates[0])
        return self.get(email_index__in=candidates)


def _email_candidates(email: object) -> list[str]:
    from strongroom.protection.vault.selectors import blind_index_candidates

    if not isinstance(email, str) or "\x00" in email:
        return []
    return blind_index_candidates("email", email.strip())


class User(AbstractBaseUser, PermissionsMixin):
    """One login identity for customers and staff; ``is_staff`` opens the console."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Personal data lives encrypted under the account's own vault subject; the email is
    # found (and kept unique, case-insensitively) through its keyed blind index.
    subject = models.ForeignKey("vault.Subject", on_delete=models.PROTECT, related_name="+")
    email = EncryptedCharField(max_length=254)
    email_index = BlindIndexField(source="email", kind="email", unique=True)
    full_name = EncryptedCharField(max_length=150, blank=True)
    is_staff = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = ["full_name"]
    personal_fields = ("email", "full_name")

    class Meta:
        db_table = "accounts_user"

    def save(self, *args, **kwargs) -> None:
        if self.subject_id is None:  # created without the manager (tests, fixtures)
            from strongroom.protection.vault.services import subject_create

            self.subject = subject_create()
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return str(self.full_name or "account")

    def get_full_name(self) -> str:
        return str(self.full_name or "")

    def get_short_name(self) -> str:
        return str(self.full_name).split(" ")[0] if self.full_name else ""


class ApiToken(models.Model):
    """A customer's bearer token for the REST API. Only the SHA-256 of the token is
    stored, so a leaked table hands out no working credentials; the raw token is shown
    once at creation. Revoking deletes the row. See ``accounts.tokens``."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "accounts_api_token"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name or "API token"

from __future__ import annotations

import uuid

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models, transaction
from django.utils import timezone

from strongroom.protection.accounts.errors import MissingSubject
from strongroom.protection.vault.fields import BlindIndexField, EncryptedCharField
from strongroom.protection.vault.selectors import blind_index_candidates
from strongroom.protection.vault.services import subject_create


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        """Django's entry point (``createsuperuser``, the test kit); the store's own code
        calls ``accounts.services.user_create``, which passes the new vault subject. Without
        one, one is made here, in the same transaction as the account."""
        # Accounts made by an operator or a command are trusted; self-service sign-up
        # passes email_verified_at=None and proves the mailbox first.
        extra.setdefault("email_verified_at", timezone.now())
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
    if not isinstance(email, str) or "\x00" in email:
        return []
    return blind_index_candidates("email", email.strip())


class _NoNaturalKey:
    """Hides ``AbstractBaseUser.natural_key`` (the email) from serializers.

    Threat: ``dumpdata --natural-foreign`` writes ``natural_key()`` for every reference to
    a user, which would put each customer's email in clear into the dump. With no
    ``natural_key`` attribute (hasattr is False) serializers fall back to the primary key.
    Sign-in is unaffected: it uses the manager's ``get_by_natural_key`` (blind index).
    """

    def __get__(self, instance: object, owner: type | None = None) -> None:
        raise AttributeError("accounts.User has no natural key: its email is encrypted")


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
    # Sign-up proves the mailbox before the account can sign in (accounts.emails).
    email_verified_at = models.DateTimeField(null=True, blank=True)
    password_changed_at = models.DateTimeField(null=True, blank=True)
    # Set by an administrator (or by expiry): the next sign-in must choose a new password.
    password_reset_required = models.BooleanField(default=False)

    objects = UserManager()
    natural_key = _NoNaturalKey()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = ["full_name"]
    personal_fields = ("email", "full_name")

    class Meta:
        db_table = "accounts_user"
        indexes = [
            # The console's customer list seeks by (date_joined, id), newest first.
            models.Index(fields=["date_joined", "id"], name="accounts_user_joined"),
            # Staff lists and pickers (the audit search's actor choice, access reviews) read
            # the few staff accounts among a million customers: a partial index holds only
            # them, so those pages do not scan every customer.
            models.Index(fields=["date_joined", "id"], condition=models.Q(is_staff=True),
                         name="accounts_user_staff"),
        ]

    def save(self, *args, **kwargs) -> None:
        # No hidden work: the vault subject is made by whoever creates the account
        # (``accounts.services.user_create``, ``UserManager.create_user``). An account
        # without one would hold personal data under no key: refused, loudly.
        if self.subject_id is None:
            raise MissingSubject("an account needs its vault subject: create it with "
                                 "accounts.services.user_create")
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


class TotpDevice(models.Model):
    """An authenticator app's shared secret, encrypted under the owner's vault subject.
    ``last_counter`` is the last time step accepted: a code is good once (replay)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="totp_devices")
    subject = models.ForeignKey("vault.Subject", on_delete=models.PROTECT, related_name="+")
    secret = EncryptedCharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    last_counter = models.BigIntegerField(default=-1)

    class Meta:
        db_table = "accounts_totp_device"


class WebAuthnCredential(models.Model):
    """A passkey or security key. Only its public key is kept: nothing here signs in."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="webauthn_credentials")
    credential_id = models.CharField(max_length=1400, unique=True)  # base64url
    public_key = models.BinaryField()
    sign_count = models.BigIntegerField(default=0)
    name = models.CharField(max_length=60)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "accounts_webauthn_credential"
        ordering = ["created_at"]


class RecoveryCode(models.Model):
    """A single-use recovery code, stored as a keyed hash (HMAC-SHA256)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "accounts_recovery_code"


class UserSession(models.Model):
    """One signed-in browser, keyed by a hash of Django's session key (a dump of this
    table hands out no live session). Deleting the row signs that browser out."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sessions")
    key_hash = models.CharField(max_length=64, unique=True)
    browser = models.CharField(max_length=80)
    created_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "accounts_user_session"
        ordering = ["-last_seen_at"]


class KnownDevice(models.Model):
    """A browser that has signed in before (keyed hash of a random device cookie):
    a sign-in from any other browser sends the owner a notice."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="known_devices")
    device_hash = models.CharField(max_length=64)
    first_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "accounts_known_device"
        constraints = [models.UniqueConstraint(fields=["user", "device_hash"],
                                               name="accounts_known_device_unique")]


class ThrottleCounter(models.Model):
    """Failure counters for sign-in throttling when no Redis is configured. Keys are
    keyed hashes (no email or address is stored)."""

    key = models.CharField(max_length=120, primary_key=True)
    count = models.IntegerField(default=0)
    expires_at = models.DateTimeField()
    blocked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "accounts_throttle_counter"


class ThrottleMember(models.Model):
    """Distinct members of a set (accounts tried from one address; accounts tried with
    one password), for credential-stuffing detection."""

    key = models.CharField(max_length=120)
    member = models.CharField(max_length=64)
    expires_at = models.DateTimeField()

    class Meta:
        db_table = "accounts_throttle_member"
        constraints = [models.UniqueConstraint(fields=["key", "member"],
                                               name="accounts_throttle_member_unique")]
        indexes = [models.Index(fields=["key", "expires_at"])]


class SecurityAlert(models.Model):
    """LEGACY, no longer written: sign-in alerts are raised into the one alert list
    (``strongroom.protection.alerts``, kinds ``signin.*``); migration ``alerts.0002``
    copied these rows there. Kept so that migration can run backwards; a later release
    drops the table."""

    kind = models.CharField(max_length=40)
    detail = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now)
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "accounts_security_alert"
        ordering = ["-created_at"]


class EmailChange(models.Model):
    """A requested new sign-in address, waiting for the link sent to it (one per account).

    The address is personal data, encrypted under the account's subject; the link's token
    is kept only as its SHA-256, so a stolen database cannot confirm anyone's change."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="+")
    subject = models.ForeignKey("vault.Subject", on_delete=models.PROTECT, related_name="+")
    new_email = EncryptedCharField(max_length=254)
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()

    personal_fields = ("new_email",)

    class Meta:
        db_table = "accounts_email_change"

"""Access tables: a staff member's role, open staff invitations, marketing consent.

None holds personal data in the clear: the invitee's email lives (encrypted) on the
invited ``User``; an invitation stores only the SHA-256 of its link's token.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from strongroom.protection.access.roles import Role


class StaffRole(models.Model):
    """The one role of a staff account (``accounts.User`` with ``is_staff``)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                primary_key=True, related_name="staff_role")
    role = models.CharField(max_length=32, choices=[(r.value, r.label) for r in Role])
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    # Last re-enabled by an owner: counts as activity for ``staff disable-idle``, which
    # would otherwise disable a re-enabled idle account again at its next run.
    enabled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "access_staff_role"

    def __str__(self) -> str:
        return self.role


class StaffInvite(models.Model):
    """An emailed link that lets an invited staff member set a password, once."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="staff_invites")
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "access_staff_invite"


class MarketingConsent(models.Model):
    """A customer's current answer to "may we send you marketing?". Its history (who,
    when, from where) is in the audit log as CONSENT_GIVEN / CONSENT_WITHDRAWN."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                primary_key=True, related_name="marketing_consent")
    agreed = models.BooleanField(default=False)
    changed_at = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=32)  # e.g. "storefront.privacy"

    class Meta:
        db_table = "access_marketing_consent"
        indexes = [models.Index(fields=["agreed"], name="access_consent_agreed")]


class RevealFreeze(models.Model):
    """Store-wide freeze of reveals (and operator exports) during an incident: one row,
    checked by ``services.field_reveal`` (the one reveal path) and privacy's export."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    frozen = models.BooleanField(default=False)
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        db_table = "access_revealfreeze"

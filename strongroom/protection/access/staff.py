"""Staff management: invite (and invite again), activate, change role, disable, re-enable,
disable idle accounts.

The console's staff pages (owner only) and ``strongroom staff`` call these; each
records its audit event in the change's transaction. Guards that protect the store
itself are enforced here, whoever calls: nobody changes or disables their own account
this way, and the last active owner can be neither demoted nor disabled.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from strongroom.protection.access.errors import InviteInvalid, StaffChangeRefused
from strongroom.protection.access.models import StaffInvite, StaffRole
from strongroom.protection.access.roles import Role
from strongroom.protection.access.selectors import owners_active, role_of
from strongroom.protection.accounts.models import User
from strongroom.protection.accounts.services import user_create
from strongroom.protection.audit.events import Actor, AuditEvent
from strongroom.protection.audit.services import audit_record
from strongroom.protection.mailer.services import mail_queue

INVITE_LIFETIME = timedelta(hours=72)
IDLE_AFTER = timedelta(days=90)
MAX_TOKEN_LENGTH = 128


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def _guard(*, target: Any, by: Any, demoting: bool) -> None:
    if by is not None and target.pk == by.pk:
        raise StaffChangeRefused("You cannot change or disable your own account here.")
    if demoting and role_of(target) == Role.OWNER and not owners_active().exclude(
            pk=target.pk).exists():
        raise StaffChangeRefused("This is the last active owner: make someone else an "
                                 "owner first.")


def staff_invite(*, email: str, full_name: str, role: Role, by: Any,
                 link: Callable[[str], str], now: datetime | None = None) -> tuple[Any, str]:
    """Create an inactive staff account with ``role`` and email it a one-time link to set
    its password (the accounts middleware then makes them enrol MFA at first sign-in).
    Returns (the account, the raw token). The caller checked ``by`` may manage staff."""
    now = now or timezone.now()
    email = User.objects.normalize_email(email).strip()
    role = Role(role)
    try:
        User.objects.get_by_natural_key(email)
    except User.DoesNotExist:
        pass
    else:
        raise StaffChangeRefused("That email already has an account here.", field="email")
    with transaction.atomic():
        user = user_create(email=email, password=None, full_name=full_name, is_staff=True,
                           is_active=False)
        StaffRole.objects.create(user=user, role=role, changed_by=by, changed_at=now)
        raw = _invite_send(user=user, role=role, by=by, link=link, now=now,
                           reason=f"role {role.value}")
    return user, raw


def _invite_send(*, user: Any, role: Role, by: Any, link: Callable[[str], str],
                 now: datetime, reason: str) -> str:
    """A new one-time link for ``user`` (STAFF_INVITED), mailed once the caller commits."""
    raw = secrets.token_urlsafe(32)
    StaffInvite.objects.create(user=user, token_hash=_hash(raw), invited_by=by,
                               created_at=now, expires_at=now + INVITE_LIFETIME)
    audit_record(event=AuditEvent.STAFF_INVITED, actor=by, subject_id=user.subject_id,
                 object=user, fields=["role"], reason=reason)
    _invite_mail(user=user, role=role, url=link(raw))
    return raw


def staff_invite_resend(*, user: Any, by: Any, link: Callable[[str], str],
                        now: datetime | None = None) -> str:
    """Invite again an account that never set its password (the invitation expired or
    was lost): earlier links die, a new one is mailed. Returns the raw token. The caller
    checked ``by`` may manage staff."""
    if user.is_active or user.has_usable_password():
        raise StaffChangeRefused("This account has signed in before: re-enable it instead.")
    _guard(target=user, by=by, demoting=False)
    now = now or timezone.now()
    role = _stored_role(user) or Role.SUPPORT
    with transaction.atomic():
        StaffInvite.objects.filter(user=user, used_at=None).update(expires_at=now)
        return _invite_send(user=user, role=role, by=by, link=link, now=now,
                            reason=f"invited again, role {role.value}")


def _invite_mail(*, user: Any, role: Role, url: str) -> None:
    """Queue the invitation (with its single-use link) in the encrypted outbox."""
    hours = int(INVITE_LIFETIME.total_seconds() // 3600)
    mail_queue(
        subject_id=user.subject_id, to=str(user.email), kind="staff_invite",
        headline=f"You are invited to the {settings.STRONGROOM_STORE_NAME} staff console",
        body=(
            f"You have been invited to join {settings.STRONGROOM_STORE_NAME} as "
            f"{role.label}.\n\nSet your password here (the link works once, for {hours} "
            f"hours):\n{url}\n\nYou will then set up a second factor (an authenticator app "
            "or a passkey) before you can use the console.\n\nIf you did not expect this, "
            "ignore this email."
        ),
    )


def invite_get(*, raw: object, now: datetime | None = None) -> StaffInvite:
    """The open invitation ``raw`` names; one InviteInvalid for unknown, used, expired
    or revoked (the account disabled) alike."""
    if not isinstance(raw, str) or not raw or len(raw) > MAX_TOKEN_LENGTH:
        raise InviteInvalid("This invitation link is invalid or has expired.")
    invite = StaffInvite.objects.select_related("user").filter(
        token_hash=_hash(raw), used_at=None, expires_at__gt=now or timezone.now(),
        user__is_staff=True).first()
    if invite is None:
        raise InviteInvalid("This invitation link is invalid or has expired.")
    return invite


def staff_invite_accept(*, raw: str, password: str, now: datetime | None = None) -> Any:
    """Set the invited account's password and activate it (STAFF_ACTIVATED). Raises
    InviteInvalid, or django's ValidationError for a password the policy refuses."""
    now = now or timezone.now()
    with transaction.atomic():
        invite = invite_get(raw=raw, now=now)
        invite = StaffInvite.objects.select_for_update().select_related("user").get(
            pk=invite.pk)
        if invite.used_at is not None:
            raise InviteInvalid("This invitation link is invalid or has expired.")
        user = invite.user
        password_validation.validate_password(password, user)
        user.set_password(password)
        user.is_active = True
        user.save(update_fields=["password", "is_active"])
        invite.used_at = now
        invite.save(update_fields=["used_at"])
        audit_record(event=AuditEvent.STAFF_ACTIVATED, actor=user, subject_id=user.subject_id,
                     object=user)
    return user


def staff_role_set(*, user: Any, role: Role, by: Any) -> bool:
    """Give a staff account ``role`` (ROLE_CHANGED, reason "old -> new"); False if it
    already had it. The caller checked ``by`` may manage staff."""
    role = Role(role)
    old = _stored_role(user)
    if old == role:
        return False
    _guard(target=user, by=by, demoting=old == Role.OWNER)
    with transaction.atomic():
        StaffRole.objects.update_or_create(
            user=user, defaults={"role": role, "changed_by": by, "changed_at": timezone.now()})
        audit_record(event=AuditEvent.ROLE_CHANGED, actor=by, subject_id=user.subject_id,
                     object=user, fields=["role"],
                     reason=f"{old.value if old else 'none'} -> {role.value}")
    if hasattr(user, "_access_role"):
        del user._access_role
    return True


def _stored_role(user: Any) -> Role | None:
    row = StaffRole.objects.filter(user_id=user.pk).values_list("role", flat=True).first()
    return Role(row) if row else (Role.OWNER if user.is_superuser else None)


def staff_disable(*, user: Any, by: Any) -> bool:
    """Disable a staff account: it can no longer sign in, its open sessions stop working
    at their next request, open invitations die. False if it was already disabled."""
    if not user.is_active and not StaffInvite.objects.filter(user=user, used_at=None).exists():
        return False
    _guard(target=user, by=by, demoting=True)
    with transaction.atomic():
        _disable(user)
        audit_record(event=AuditEvent.STAFF_DISABLED, actor=by, subject_id=user.subject_id,
                     object=user)
    return True


def staff_enable(*, user: Any, by: Any, now: datetime | None = None) -> bool:
    """Let a disabled staff account sign in again (STAFF_ENABLED). It must choose a new
    password at its next sign-in (it may have been disabled for a reason: a leaver, a
    suspected compromise) and its second factor still applies. False if it was active.
    The caller checked ``by`` may manage staff."""
    if user.is_active:
        return False
    if not user.has_usable_password():
        raise StaffChangeRefused("This account never set a password: send it a new "
                                 "invitation instead.")
    _guard(target=user, by=by, demoting=False)
    now = now or timezone.now()
    with transaction.atomic():
        get_user_model().objects.filter(pk=user.pk).update(is_active=True,
                                                           password_reset_required=True)
        role = _stored_role(user)
        if role is not None:
            StaffRole.objects.update_or_create(user=user, defaults={"enabled_at": now},
                                               create_defaults={"role": role, "enabled_at": now})
        audit_record(event=AuditEvent.STAFF_ENABLED, actor=by, subject_id=user.subject_id,
                     object=user, reason="new password required at next sign-in")
    user.is_active, user.password_reset_required = True, True
    return True


def _disable(user: Any) -> None:
    get_user_model().objects.filter(pk=user.pk).update(is_active=False)
    StaffInvite.objects.filter(user=user, used_at=None).update(expires_at=timezone.now())
    user.is_active = False


@dataclass(frozen=True)
class IdleResult:
    disabled: list[Any]
    kept: list[Any]  # idle, but the last active owner: disabling would lock the store out


def staff_disable_idle(*, now: datetime | None = None, idle: timedelta = IDLE_AFTER
                       ) -> IdleResult:
    """Disable active staff accounts not used for ``idle`` (last sign-in, or creation if
    never signed in): one STAFF_IDLE_DISABLED event each, actor "system". The last
    active owner is kept (reported) so the store always has someone to re-enable staff."""
    cutoff = (now or timezone.now()) - idle
    idle_q = Q(last_login__lt=cutoff) | Q(last_login__isnull=True, date_joined__lt=cutoff)
    candidates = list(get_user_model().objects.filter(is_staff=True, is_active=True)
                      .filter(idle_q).exclude(staff_role__enabled_at__gte=cutoff)
                      .order_by("date_joined", "pk"))
    disabled, kept = [], []
    for user in candidates:
        with transaction.atomic():
            if role_of(user) == Role.OWNER and not owners_active().exclude(pk=user.pk).exists():
                kept.append(user)
                continue
            _disable(user)
            audit_record(event=AuditEvent.STAFF_IDLE_DISABLED,
                         actor=Actor.system("staff disable-idle"),
                         subject_id=user.subject_id, object=user,
                         reason=f"no sign-in for {idle.days} days")
        disabled.append(user)
    return IdleResult(disabled, kept)

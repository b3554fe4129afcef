"""One-click containment from the incident page. Each action is a service that calls
the owning app's service (accounts, access, vault), writes its CONTAINMENT_* audit event
in the same transaction and a line on the incident's timeline.

The caller (the console view) has checked that ``by`` holds ``incidents.manage`` (owner
or security officer) AND verified a second factor in the last few minutes: these
actions sign people out and lock accounts, so a stolen console session alone must not
be able to run them (nor use them to lock the real owner out).
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import transaction

from strongroom.protection.access import services as access_services
from strongroom.protection.access.errors import AccessError
from strongroom.protection.access.staff import staff_disable
from strongroom.protection.accounts.models import UserSession
from strongroom.protection.accounts.services import password_reset_force
from strongroom.protection.accounts.sessions import key_hash, sessions_revoke_all
from strongroom.protection.accounts.tokens import api_token_revoke_all
from strongroom.protection.audit.events import AuditEvent
from strongroom.protection.audit.services import audit_record
from strongroom.protection.vault.services import kek_rotate

from .errors import IncidentError
from .models import EntryKind, Incident
from .services import timeline_write

MAINTENANCE_APP = "strongroom.protection.backups"


def _done(*, incident: Incident, by: Any, event: AuditEvent, text: str, request: Any) -> None:
    audit_record(event=event, actor=by, object=incident, reason=text[:500], request=request)
    timeline_write(incident=incident, kind=EntryKind.CONTAINMENT, by=by, text=text)


def _rehearsed(*, incident: Incident, by: Any, what: str, request: Any) -> bool:
    """In a tabletop exercise the action is recorded (audited, on the timeline) and NOT
    executed; returns True then, so each action returns early."""
    if not incident.exercise:
        return False
    with transaction.atomic():
        _done(incident=incident, by=by, request=request,
              event=AuditEvent.EXERCISE_ACTION_REHEARSED, text=f"[exercise, not executed] {what}")
    return True


def contain_sign_out(*, incident: Incident, by: Any, staff: bool, request: Any = None) -> int:
    """Sign out every customer (``staff=False``) or every staff member but the one acting
    (``staff=True``): their sessions are deleted, so each browser's next request finds
    its session revoked (``accounts.sessions.session_expired``). Returns how many."""
    if _rehearsed(incident=incident, by=by, request=request,
                  what=f"sign out every {'staff member' if staff else 'customer'}"):
        return 0
    rows = UserSession.objects.filter(user__is_staff=staff)
    if staff and request is not None and getattr(request, "session", None) is not None:
        rows = rows.exclude(key_hash=key_hash(request.session.session_key))
    with transaction.atomic():
        count, _ = rows.delete()
        who = "staff member" if staff else "customer"
        _done(incident=incident, by=by, request=request,
              event=(AuditEvent.CONTAINMENT_STAFF_SIGNED_OUT if staff
                     else AuditEvent.CONTAINMENT_CUSTOMERS_SIGNED_OUT),
              text=f"Signed out every {who}: {count} sessions ended.")
    return count


def contain_passwords_reset(*, incident: Incident, by: Any, request: Any = None) -> int:
    """Force a new password (sessions and API tokens revoked, a reset link mailed when a
    request is at hand) for every account in the incident's breach scope."""
    if _rehearsed(incident=incident, by=by, request=request,
                  what="force password resets for the accounts in scope"):
        return 0
    users = list(get_user_model().objects.filter(
        subject_id__in=incident.scope.values_list("subject_id", flat=True), is_active=True))
    if not users:
        raise IncidentError("The breach scope lists no accounts: find the affected customers "
                            "first.")
    with transaction.atomic():
        for user in users:
            password_reset_force(user=user, actor=by, request=request,
                                 reason=f"incident {incident}")
        _done(incident=incident, by=by, request=request,
              event=AuditEvent.CONTAINMENT_PASSWORDS_RESET,
              text=f"Forced a password reset for {len(users)} accounts in the breach scope.")
    return len(users)


def contain_staff_disable(*, incident: Incident, by: Any, staff_id: Any,
                          request: Any = None) -> None:
    """Disable a staff account, end its sessions and revoke its API tokens."""
    if _rehearsed(incident=incident, by=by, request=request,
                  what=f"disable staff account {staff_id}"):
        return
    user = get_user_model().objects.filter(pk=staff_id, is_staff=True).first()
    if user is None:
        raise IncidentError("No staff account with that number.")
    try:
        with transaction.atomic():
            staff_disable(user=user, by=by)
            ended = sessions_revoke_all(user=user, actor=by, request=request)
            tokens = api_token_revoke_all(user=user)
            _done(incident=incident, by=by, request=request,
                  event=AuditEvent.CONTAINMENT_STAFF_DISABLED,
                  text=f"Disabled staff account {user.pk}: {ended} sessions ended, "
                       f"{tokens} API tokens revoked.")
    except AccessError as exc:
        raise IncidentError(exc.message) from None


def contain_reveals_freeze(*, incident: Incident, by: Any, frozen: bool,
                           request: Any = None) -> bool:
    """Freeze (or lift) reveals and operator exports store-wide. Reversible."""
    if _rehearsed(incident=incident, by=by, request=request,
                  what="freeze reveals and exports" if frozen else "lift the freeze"):
        return False
    with transaction.atomic():
        changed = access_services.reveals_freeze_set(frozen=frozen, by=by)
        if changed:
            _done(incident=incident, by=by, request=request,
                  event=(AuditEvent.CONTAINMENT_REVEALS_FROZEN if frozen
                         else AuditEvent.CONTAINMENT_REVEALS_UNFROZEN),
                  text="Froze reveals and exports store-wide." if frozen
                  else "Lifted the freeze on reveals and exports.")
    return changed


def contain_kek_rotate(*, incident: Incident, by: Any, request: Any = None) -> int:
    """A new key-encryption key, every data key rewrapped to it (resumable)."""
    if _rehearsed(incident=incident, by=by, request=request, what="rotate the KEK"):
        return 0
    done = kek_rotate()
    with transaction.atomic():
        _done(incident=incident, by=by, request=request,
              event=AuditEvent.CONTAINMENT_KEK_ROTATED,
              text=f"Rotated the key-encryption key: {done} keys rewrapped.")
    return done


def maintenance_available() -> bool:
    return apps.is_installed(MAINTENANCE_APP)


def contain_maintenance(*, incident: Incident, by: Any, on: bool, request: Any = None) -> None:
    """Pause the shop (backups' maintenance mode: shoppers and the API get 503, the
    console and payment webhooks keep working). The caller checked the role and a fresh
    second factor."""
    if _rehearsed(incident=incident, by=by, request=request,
                  what=f"maintenance mode {'on' if on else 'off'}"):
        return
    if not maintenance_available():
        raise IncidentError("Maintenance mode is not available yet: it comes with the "
                            "backups (disaster recovery) capability, not installed in "
                            "this store.")
    # Imported here: backups is an optional app (a store may leave it out).
    from strongroom.protection.backups import services as backups

    with transaction.atomic():
        if on:
            backups.maintenance_on(
                by=by, message="We are working on the shop and will be back shortly.")
        else:
            backups.maintenance_off(by=by)
        _done(incident=incident, by=by, request=request,
              event=AuditEvent.CONTAINMENT_MAINTENANCE,
              text="Maintenance mode on." if on else "Maintenance mode off.")

"""Sign-in events from Django's auth signals, so every login path is covered
(storefront, console, anything that calls ``authenticate``/``login``).

A failed sign-in names the targeted account (its id and subject) when one exists,
found through the email's blind index; the email typed is never stored.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest

from strongroom.protection.audit.events import Actor, AuditEvent
from strongroom.protection.audit.services import audit_record
from strongroom.protection.vault import signals as vault_signals


@receiver(user_logged_in, dispatch_uid="audit.login_succeeded")
def _logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    with transaction.atomic():
        audit_record(
            event=AuditEvent.LOGIN_SUCCEEDED, actor=Actor.of_user(user),
            subject_id=user.subject_id, object=user, request=request,
        )


@receiver(user_logged_out, dispatch_uid="audit.logout")
def _logged_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is None:
        return
    with transaction.atomic():
        audit_record(
            event=AuditEvent.LOGOUT, actor=Actor.of_user(user),
            subject_id=user.subject_id, object=user, request=request,
        )


@receiver(user_login_failed, dispatch_uid="audit.login_failed")
def _login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    target = _account(credentials)
    with transaction.atomic():
        audit_record(
            event=AuditEvent.LOGIN_FAILED, actor=Actor.guest(),
            subject_id=target.subject_id if target else None,
            object=target, request=request,
        )


def _account(credentials: dict[str, Any]) -> Any:
    model = get_user_model()
    username = credentials.get(model.USERNAME_FIELD) or credentials.get("username")
    if not isinstance(username, str) or not username:
        return None
    try:
        return model._default_manager.get_by_natural_key(username)
    except (model.DoesNotExist, ValueError):
        return None


# --- the vault's key operations and decryption failures -----------------------------------
_KEY_EVENTS = {
    "kek_rotated": AuditEvent.KEK_ROTATED,
    "data_reencrypted": AuditEvent.DATA_REENCRYPTED,
    "index_key_rotated": AuditEvent.INDEX_KEY_ROTATED,
    "kek_retired": AuditEvent.KEY_RETIRED,
    "index_key_retired": AuditEvent.KEY_RETIRED,
    "subject_shredded": AuditEvent.SUBJECT_SHREDDED,
}


@receiver(vault_signals.key_operation, dispatch_uid="audit.key_operation")
def _key_operation(sender: Any, event: str, subject_id: Any = None, detail: str = "",
                   **kwargs: Any) -> None:
    with transaction.atomic():  # joins the vault's transaction where it has one
        audit_record(event=_KEY_EVENTS[event], actor=Actor.system("vault"),
                     subject_id=subject_id, reason=detail[:200])


@receiver(vault_signals.decryption_failed, dispatch_uid="audit.decryption_failed")
def _decryption_failed(sender: Any, model: str, field: str, pk: str, subject_id: Any = None,
                       **kwargs: Any) -> None:
    # Recorded in its own transaction when the read is not inside one (every page
    # read); inside a transaction that then rolls back, the event goes with it.
    with transaction.atomic():
        audit_record(event=AuditEvent.DECRYPTION_FAILED, actor=Actor.system("vault"),
                     subject_id=subject_id, object=(model, pk), fields=(field,))

"""Events other apps announce by signal, so every path is covered; and what the audit log
announces to the apps above it.

Sign-ins from Django's auth signals (storefront, console, anything that calls
``authenticate``/``login``). Job runs asked for by hand, from the task queue (below the
audit log: ``strongroom/jobs/signals.py``). A failed sign-in names the targeted account (its id and
subject) when one exists, found through the email's blind index; the email typed is
never stored. The vault's key operations and decryption failures; a decryption failure
survives the rollback of the transaction it happened in (``internal/pending.py``), so
these receivers also flush pending failures wherever the connection is idle.

``verify_failed`` (sent by ``strongroom audit verify`` when the log does not verify, in
the transaction that records AUDIT_VERIFY_FAILED): the alerts app, above the audit log,
raises the console alert. kwargs ``problems`` (count), ``events`` (count), ``first_kind``
and ``first`` (the first problem as "kind: message", no personal data).
"""

from __future__ import annotations

import atexit
import logging
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.core.signals import request_finished, request_started
from django.db import connection, transaction
from django.dispatch import Signal, receiver
from django.http import HttpRequest

from strongroom.jobs import signals as jobs_signals
from strongroom.protection.audit.events import Actor, AuditEvent
from strongroom.protection.audit.internal import pending
from strongroom.protection.audit.services import audit_record
from strongroom.protection.vault import signals as vault_signals

logger = logging.getLogger(__name__)

verify_failed = Signal()


@receiver(user_logged_in, dispatch_uid="audit.login_succeeded")
def _logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    _flush_if_idle()
    with transaction.atomic():
        audit_record(
            event=AuditEvent.LOGIN_SUCCEEDED, actor=Actor.of_user(user),
            subject_id=user.subject_id, object=user, request=request,
        )


@receiver(user_logged_out, dispatch_uid="audit.logout")
def _logged_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is None:
        return
    _flush_if_idle()
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
    _flush_if_idle()
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
    _flush_if_idle()
    with transaction.atomic():  # joins the vault's transaction where it has one
        audit_record(event=_KEY_EVENTS[event], actor=Actor.system("vault"),
                     subject_id=subject_id, reason=detail[:200])


@receiver(vault_signals.decryption_failed, dispatch_uid="audit.decryption_failed")
def _decryption_failed(sender: Any, model: str, field: str, pk: str, subject_id: Any = None,
                       **kwargs: Any) -> None:
    # Recorded in the reader's transaction when there is one, and kept pending until that
    # commits: a rollback (the DecryptionError leaving the caller's atomic block) must not
    # erase the trace of tampering. See internal/pending.py.
    try:
        pending.failure_record(model=model, field=field, pk=pk, subject_id=subject_id)
    except Exception:  # noqa: BLE001 - still pending; recorded at the next flush
        logger.warning("a decryption failure could not be recorded in the reading "
                       "transaction; kept pending", exc_info=True)


# --- the task queue: a job run asked for by hand ------------------------------------------

@receiver(jobs_signals.run_requested, dispatch_uid="audit.job_run_requested")
def _job_run_requested(sender: Any, name: str, by: Any, request: HttpRequest | None = None,
                       **kwargs: Any) -> None:
    # Sent inside the transaction that queues the run: the event commits with it.
    audit_record(event=AuditEvent.JOB_RUN_REQUESTED, actor=by, request=request,
                 object=("jobs.job", name), reason=f"run now: {name}")


# --- flush points: the connection is outside every atomic block -------------------------
# Pending failures (their transaction rolled back, or the database was unavailable) are
# recorded by the thread that noted them, on its own connection, never inside an atomic
# block (pending.failures_flush checks): at both ends of every request, at the next audit
# signal handled outside a transaction (above), and when the process exits.


@receiver(request_started, dispatch_uid="audit.pending_flush_started")
def _request_started(sender: Any, **kwargs: Any) -> None:
    if pending.pending_count():  # every request passes here: the common case is this test
        pending.failures_flush()


@receiver(request_finished, dispatch_uid="audit.pending_flush_finished")
def _request_finished(sender: Any, **kwargs: Any) -> None:
    if not pending.pending_count():
        return
    was_open = connection.connection is not None
    pending.failures_flush()
    if not was_open:  # close_old_connections ran before us: leave no connection behind
        connection.close()


def _flush_if_idle() -> None:
    """Before an audit signal records outside any transaction: pending failures first."""
    if pending.pending_count() and not connection.in_atomic_block:
        pending.failures_flush()


atexit.register(pending.failures_flush)  # management commands; never raises

"""Decryption failures that must outlive the transaction they happened in.

The attack: tamper with a ciphertext that a service reads inside ``transaction.atomic()``.
The vault raises DecryptionError and announces the failure; the audit event is written
in the caller's transaction (as every event is) — and the DecryptionError propagating
out of the caller's ``atomic()`` rolls it back. Without this module the tampering left
no trace.

So every failure is first noted here, in memory, as *pending*; it stops being pending
only once an audit row for it is known to be durable:
  * read outside any transaction: recorded at once in a transaction of its own;
  * read inside one: recorded in that transaction (a savepoint) and dropped from pending
    by an ``on_commit`` callback registered in the same savepoint, so the callback lives
    exactly as long as the row: commit runs it, any rollback discards both.
Pending failures are recorded late ("flushed") at the next point where this thread's
connection is outside every atomic block: the end or start of a request, the next audit
signal handled outside a transaction, process exit.

Invariants:
  * Per thread (``threading.local``), on the thread's own connection, and only outside
    every atomic block. Never a second connection while the reading transaction is
    open: on PostgreSQL that transaction holds an audit chain head lock, and a second
    connection appending to the log could wait on it forever from the same thread.
  * Never recorded twice. A failure whose in-transaction row *may* have committed (its
    on_commit callback can be skipped when an earlier callback raises, or the COMMIT's
    outcome can be unknown) is looked up before it is recorded late: the row carries the
    same microsecond timestamp, row, field and event (``_already_recorded``).
  * No personal data held: model label, field name, pk, subject id, time, request id.
    The late row therefore has no IP address (the original request's IP would be
    personal data kept in memory); its request id joins it to the request's logs.
  * Bounded: ``LIMIT`` failures per thread. Beyond that they are counted, and the count
    becomes one aggregated DECRYPTION_FAILED event ("N more ... not itemised"). An event
    in the tamper-evident log rather than a log line: the log is what the security
    officer and the breach-scope query read, and the attack (many tampered rows read in
    one rolled-back transaction) stays on record, while memory stays fixed.
  * Flushing never raises into its caller: a failure that cannot be recorded now (the
    database is down) is logged without details and stays pending for the next flush.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import threading
import time
import uuid
from dataclasses import dataclass
from itertools import count
from typing import Any

from django.db import connection, transaction

from strongroom.protection.audit import context
from strongroom.protection.audit.errors import AuditUsageError
from strongroom.protection.audit.events import Actor, AuditEvent
from strongroom.protection.audit.models import AuditEntry
from strongroom.protection.audit.services import audit_record

logger = logging.getLogger(__name__)

LIMIT = 1000  # pending failures kept per thread; more are only counted
ACTOR = Actor.system("vault")
LATE_REASON = "recorded after the reading transaction ended without it"
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_tokens = count(1)


@dataclass(slots=True)
class Failure:
    model: str
    field: str
    pk: str
    subject_id: str
    at_us: int
    request_id: str
    database: tuple[str, ...]  # never flushed into another database than its own
    attempted: bool = False  # a row for it may have been committed: look before recording


@dataclass(slots=True)
class Overflow:
    count: int = 0
    failure: Failure | None = None  # the aggregate: time and database of the first one


class _Pending(threading.local):
    def __init__(self) -> None:
        self.failures: dict[int, Failure] = {}
        self.overflow = Overflow()
        self.flushing = False


_state = _Pending()


def failure_record(*, model: str, field: str, pk: Any, subject_id: Any = None) -> None:
    """Record a decryption failure so that it survives a rollback of the current
    transaction. If the write in the current transaction raises (a database error), the
    failure has already been noted and stays pending."""
    failure = Failure(
        model=_clean(model), field=_clean(field), pk=_clean(pk), subject_id=_subject(subject_id),
        at_us=time.time_ns() // 1000, request_id=_clean(context.current().request_id),
        database=_database(),
    )
    token = _note(failure)
    if not _in_transaction():
        failures_flush()  # this one, and any left by earlier rolled-back transactions
        return
    with transaction.atomic():  # a savepoint of the caller's transaction
        failure.attempted = True
        _write(failure, reason="", ip=None)
        transaction.on_commit(lambda: _committed(token), robust=True)


def failures_flush() -> int:
    """Record the pending failures of this thread, if its connection is outside every
    atomic block; returns how many were recorded. Never raises."""
    state = _state
    if state.flushing or not (state.failures or state.overflow.count):
        return 0
    here = _database()
    if not _any_for(state, here):
        return 0  # e.g. a test run's exit: its failures belong to a database now gone
    state.flushing = True
    recorded = 0
    try:
        if _in_transaction():
            return 0
        for token, failure in list(state.failures.items()):
            if failure.database == here:
                recorded += _flush_one(failure, reason=LATE_REASON)
                state.failures.pop(token, None)
        overflow = state.overflow
        if overflow.count and overflow.failure and overflow.failure.database == here:
            reason = (f"{overflow.count} more decryption failures not itemised (more than "
                      f"{LIMIT} pending in one thread); {LATE_REASON}")
            recorded += _flush_one(overflow.failure, reason=reason)
            state.overflow = Overflow()
    except Exception:  # noqa: BLE001 - never into the caller; retried at the next flush
        logger.warning("%d decryption failure(s) could not be recorded in the audit log yet;"
                       " kept for the next attempt", _pending_count(state), exc_info=True)
    finally:
        state.flushing = False
    return recorded


def pending_count() -> int:
    """Failures of this thread not yet known to be in the audit log (aggregated ones
    included)."""
    return _pending_count(_state)


def pending_clear() -> None:
    """Forget this thread's pending failures (tests: a test's rolled-back failures must
    not be recorded into the next test's log)."""
    _state.failures.clear()
    _state.overflow = Overflow()


# --- internals ------------------------------------------------------------------------------


def _note(failure: Failure) -> int:
    """Add to pending; returns its token, or 0 when only counted (the list is full)."""
    state = _state
    if len(state.failures) < LIMIT:
        token = next(_tokens)
        state.failures[token] = failure
        return token
    overflow = state.overflow
    if overflow.failure is None:
        overflow.failure = Failure(model="", field="", pk="", subject_id="", at_us=failure.at_us,
                                   request_id="", database=failure.database)
    overflow.count += 1
    return 0


def _committed(token: int) -> None:
    """The row for this failure is durable. Token 0: one of the counted failures."""
    state = _state
    if token:
        state.failures.pop(token, None)
    elif state.overflow.count:
        state.overflow.count -= 1
        failure = state.overflow.failure
        if not state.overflow.count and failure is not None and not failure.attempted:
            state.overflow = Overflow()  # all counted ones committed: start afresh


def _flush_one(failure: Failure, *, reason: str) -> int:
    """Record one failure late, in a transaction of its own. A value the log refuses can
    never be recorded: dropped (logged) rather than retried forever."""
    try:
        with transaction.atomic():
            if failure.attempted and _already_recorded(failure):
                return 0
            failure.attempted = True  # from here the COMMIT's outcome may be unknown
            _write(failure, reason=reason, ip="")
    except AuditUsageError:
        logger.error("a decryption failure on %s.%s could not be recorded (invalid value);"
                     " dropped", failure.model, failure.field)
        return 0
    return 1


def _write(failure: Failure, *, reason: str, ip: str | None) -> None:
    """``ip`` None: the current request's, as for any event (in the reading transaction).
    Late: "" (see the module docstring), never the IP of whichever request flushes it."""
    audit_record(
        event=AuditEvent.DECRYPTION_FAILED, actor=ACTOR, subject_id=failure.subject_id or None,
        object=(failure.model, failure.pk) if failure.model else None,
        fields=(failure.field,) if failure.field else (), reason=reason, ip=ip,
        at=_EPOCH + dt.timedelta(microseconds=failure.at_us), request_id=failure.request_id,
    )


def _already_recorded(failure: Failure) -> bool:
    return AuditEntry.objects.filter(
        event=int(AuditEvent.DECRYPTION_FAILED), at_us=failure.at_us,
        object_type=failure.model, object_id=failure.pk,
        fields=failure.field, subject_id=failure.subject_id,
    ).exists()


def _in_transaction() -> bool:
    return connection.in_atomic_block or not connection.get_autocommit()


def _database() -> tuple[str, ...]:
    s = connection.settings_dict
    return (connection.vendor, str(s.get("HOST") or ""), str(s.get("PORT") or ""),
            str(s.get("NAME") or ""))


def _any_for(state: _Pending, database: tuple[str, ...]) -> bool:
    overflow = state.overflow
    return (any(f.database == database for f in state.failures.values())
            or (overflow.count > 0 and overflow.failure is not None
                and overflow.failure.database == database))


def _pending_count(state: _Pending) -> int:
    return len(state.failures) + state.overflow.count


def _clean(value: Any, limit: int = 64) -> str:
    """What the log accepts as a token: printable, at most 64 characters."""
    return _CONTROL.sub("?", str(value if value is not None else ""))[:limit]


def _subject(subject_id: Any) -> str:
    if subject_id in (None, ""):
        return ""
    try:
        return str(subject_id if isinstance(subject_id, uuid.UUID) else uuid.UUID(str(subject_id)))
    except ValueError:
        return ""

"""Audit writes: recording an event, and signing a checkpoint.

``audit_record`` is called by every service that changes something that matters,
*inside that service's transaction*: the event commits or rolls back with the change
(HOUSE_STYLE 5). It checks no authorization: recording is always allowed; deciding
whether the action itself was allowed is the caller's job.
"""

from __future__ import annotations

import base64
import datetime as dt
import ipaddress
import logging
import re
import threading
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, connections, models, transaction
from django.db.models import Q
from django.dispatch import Signal
from django.http import HttpRequest

from strongroom.protection.audit import context
from strongroom.protection.audit.errors import AuditUsageError, CheckpointRefused
from strongroom.protection.audit.events import Actor, ActorType, AuditEvent
from strongroom.protection.audit.internal import chain as chainlib
from strongroom.protection.audit.internal import checkpoints as cplib
from strongroom.protection.audit.internal import verify as verifylib
from strongroom.protection.audit.models import (
    AuditChainHead,
    AuditCheckpoint,
    AuditEntry,
    AuditOrigin,
    AuditOriginSubject,
)
from strongroom.protection.vault.errors import SubjectErasedError
from strongroom.protection.vault.services import subject_create
from strongroom.protection.vault.signing import signing_key_load

logger = logging.getLogger(__name__)

CHECKPOINT_EVERY_DEFAULT = 1000  # events per chain between automatic checkpoints
CHECKPOINT_LOCK_CHAIN = -1  # the head row that serializes checkpoint creation
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]{0,63}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


# Sent after each event is appended, inside the recording transaction, with ``event``,
# ``actor`` (an Actor) and ``subject_id`` (str, "" for none). For detectors that watch the
# log as it is written (incidents' canary records): a receiver's writes commit or roll
# back with the event, and a receiver that raises fails the recording action.
audit_recorded = Signal()


@dataclass(frozen=True)
class Recorded:
    chain: int
    seq: int
    digest: str
    at_us: int
    origin_id: str


def audit_record(
    *,
    event: AuditEvent,
    actor: Actor | Any = None,
    subject_id: uuid.UUID | str | None = None,
    object: models.Model | tuple[str, Any] | None = None,  # noqa: A002 - the brief's name
    fields: Iterable[str] = (),
    reason: str = "",
    request: HttpRequest | None = None,
    ip: str | None = None,
    request_id: str | None = None,
    at: dt.datetime | None = None,
) -> Recorded:
    """Append one event to the audit log, in the caller's transaction.

    ``actor``: an ``Actor``, a user (staff or customer), or None (an anonymous
    visitor). ``subject_id``: the vault data subject whose data was touched.
    ``object``: a model instance or (type, id). ``fields``: names of the fields read
    or changed (never their values). ``ip``/``request_id`` default to ``request``'s,
    else to the current request's (``AuditContextMiddleware``).
    """
    if not connection.in_atomic_block:
        raise AuditUsageError(
            "audit_record must run inside the transaction of the change it records "
            "(wrap the change and the call in transaction.atomic())"
        )
    event = AuditEvent(event)
    actor = actor if isinstance(actor, Actor) else Actor.of_user(actor)
    ctx = context.of_request(request) if request is not None else context.current()
    ip = ctx.ip if ip is None else ip
    at_us = _micros(at)
    origin_id = _origin(ip, actor, at_us) if ip else ""
    object_type, object_id = _object(object)
    values = (
        at_us,
        int(event),
        int(ActorType(actor.type)),
        _token(str(actor.id or ""), "actor id"),
        _subject(subject_id),
        _token(object_type, "object type"),
        _token(object_id, "object id"),
        _fields(fields),
        _reason(reason),
        _token(ctx.request_id if request_id is None else request_id, "request id"),
        origin_id,
    )
    chain, seq, digest = chainlib.append(connection, values)
    audit_recorded.send(sender=AuditEvent, event=event, actor=actor, subject_id=values[4])
    every = getattr(settings, "STRONGROOM_AUDIT_CHECKPOINT_EVERY", CHECKPOINT_EVERY_DEFAULT)
    if every and seq % every == 0:
        transaction.on_commit(_checkpoint_soon)
    return Recorded(chain, seq, digest, at_us, origin_id)


# --- value normalisation: every covered value is a str without U+001F ---------------------


def _micros(at: dt.datetime | None) -> int:
    if at is None:
        return time.time_ns() // 1000
    if at.tzinfo is None:
        raise AuditUsageError("audit times must be timezone-aware")
    delta = at - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _token(value: str, what: str, limit: int = 64) -> str:
    value = str(value)
    if len(value) > limit or _CONTROL.search(value):
        raise AuditUsageError(f"audit {what} must be at most {limit} printable characters")
    return value


def _subject(subject_id: uuid.UUID | str | None) -> str:
    if subject_id in (None, ""):
        return ""
    try:
        return str(subject_id if isinstance(subject_id, uuid.UUID) else uuid.UUID(str(subject_id)))
    except ValueError:
        raise AuditUsageError("audit subject_id must be a vault subject UUID") from None


def _object(obj: models.Model | tuple[str, Any] | None) -> tuple[str, str]:
    if obj is None:
        return "", ""
    if isinstance(obj, models.Model):
        return obj._meta.label_lower, str(obj.pk)
    kind, ident = obj
    return str(kind), str(ident)


def _fields(fields: Iterable[str]) -> str:
    names = [fields] if isinstance(fields, str) else list(fields)
    if not all(isinstance(n, str) and _NAME.match(n) for n in names):
        raise AuditUsageError("audit fields must be field names (letters, digits, _ and .)")
    text = ",".join(names)
    if len(text) > 500:
        raise AuditUsageError("too many audit fields")
    return text


def _reason(reason: str) -> str:
    """Staff-typed text: control characters become spaces, length is capped."""
    return _CONTROL.sub(" ", str(reason or "")).strip()[:500]


# --- where the request came from: the IP address, encrypted ------------------------------


def _origin(ip: str, actor: Actor, at_us: int) -> str:
    """Store the IP encrypted under the actor's subject (erasing the person erases it)
    or, without one, under this month's audit subject; returns the origin row id."""
    try:
        address = str(ipaddress.ip_address(ip.strip()))
    except ValueError:
        return ""  # not an address (misconfigured proxy header): record nothing, not junk
    origin = AuditOrigin(ip=address)
    if actor.subject_id is not None:
        try:
            with transaction.atomic():
                origin.subject_id = actor.subject_id
                origin.save(force_insert=True)
            return str(origin.id)
        except SubjectErasedError:
            origin = AuditOrigin(ip=address)
    origin.subject_id = _period_subject(at_us)
    origin.save(force_insert=True)
    return str(origin.id)


def _period_subject(at_us: int) -> uuid.UUID:
    period = dt.datetime.fromtimestamp(at_us / 1e6, tz=dt.UTC).strftime("%Y-%m")
    found = AuditOriginSubject.objects.filter(period=period).values_list("subject_id", flat=True)
    for subject_id in found:
        return subject_id
    try:
        with transaction.atomic():
            return AuditOriginSubject.objects.create(
                period=period, subject=subject_create()
            ).subject_id
    except IntegrityError:  # another process created it first
        return AuditOriginSubject.objects.get(period=period).subject_id


# --- checkpoints ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckpointResult:
    number: int
    heads: list[tuple[int, int, str]]
    events_checked: int
    file: Path


def audit_checkpoint_create(*, data_dir: Path | None = None) -> CheckpointResult:
    """Sign every chain's head; store it in the database and append it to the file.

    First verifies that each chain still extends the previous checkpoint (only the
    events since then, so this stays cheap): signing a rewritten log would launder
    the rewrite. Raises CheckpointRefused if it does not, KeyConfigError without key.
    """
    return _checkpoint_sign(data_dir=Path(data_dir or settings.STRONGROOM_DATA_DIR))


def audit_gap_declare(*, backup_id: str, snapshot_at: str, actor: Actor,
                      above: int = 0, data_dir: Path | None = None) -> CheckpointResult:
    """After a restore (called in the restored database before the store uses it): the
    events recorded after ``snapshot_at`` are lost. Records AUDIT_GAP_DECLARED and, in
    the same transaction, signs a gap checkpoint naming it (``internal/trust.py``),
    numbered above every checkpoint of the lost history (the checkpoint file's, and
    ``above``: the replaced database's last number), so verification tells this
    declared gap from tampering. Needs the audit signing key; the caller restores."""
    data_dir = Path(data_dir or settings.STRONGROOM_DATA_DIR)
    in_file, _ = cplib.file_read(data_dir)
    above = max([above, *(c.number for c in in_file)])
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    with transaction.atomic():
        event = audit_record(
            event=AuditEvent.AUDIT_GAP_DECLARED, actor=actor,
            object=("backups.backup", backup_id),
            reason=f"events recorded after {snapshot_at} until {now} are not in this log: "
                   f"the store was restored from backup {backup_id}")
        return _checkpoint_sign(data_dir=data_dir, above=above, gap={
            "backup_id": backup_id, "snapshot_at": snapshot_at,
            "event": [event.chain, event.seq, event.digest]})


def _checkpoint_sign(*, data_dir: Path, above: int = 0,
                     gap: dict[str, Any] | None = None) -> CheckpointResult:
    key = signing_key_load(data_dir=data_dir)
    with transaction.atomic():
        AuditChainHead.objects.select_for_update().get_or_create(
            chain=CHECKPOINT_LOCK_CHAIN, defaults={"digest": ""}
        )
        row = AuditCheckpoint.objects.order_by("-number").first()
        last = cplib.SignedCheckpoint(row.number, row.payload, row.signature, row.key_id) \
            if row else None
        previous = {c: (s, d) for c, s, d in last.data["heads"]} if last else {}
        heads, checked = _heads_extending(previous)
        number = max(last.number if last else 0, above) + 1
        payload = cplib.payload_build(
            number=number, at_us=time.time_ns() // 1000,
            prev=last.digest if last else "", key_id=key.key_id, heads=heads,
            gap=None if gap is None else {**gap, "after": last.number if last else 0},
        )
        signature = base64.b64encode(key.sign(cplib.message(payload))).decode("ascii")
        AuditCheckpoint.objects.create(
            number=number, payload=payload, signature=signature, key_id=key.key_id
        )
        signed = cplib.SignedCheckpoint(number, payload, signature, key.key_id)
        transaction.on_commit(lambda: cplib.file_append(data_dir, signed))
    return CheckpointResult(number, heads, checked, cplib.file_path(data_dir))


def _heads_extending(
    previous: dict[int, tuple[int, str]],
) -> tuple[list[tuple[int, int, str]], int]:
    heads: list[tuple[int, int, str]] = []
    checked = 0
    current = dict(
        AuditChainHead.objects.filter(chain__gte=0).values_list("chain", "seq")
    )
    signed_now = _digests_at([(c, s) for c, (s, _) in previous.items() if s > 0])
    for chain in sorted(set(current) | set(previous)):
        after, prev = previous.get(chain, (0, None))
        upto = current.get(chain, 0)
        if after and signed_now.get((chain, after)) != prev:
            raise CheckpointRefused(
                f"refusing to sign a checkpoint: chain {chain} seq {after} no longer matches "
                "the previous checkpoint; run `strongroom audit verify`"
            )
        count, last, digest, problem = verifylib.chain_walk(
            chain, after=after, prev=prev, upto=upto
        )
        checked += count
        if problem is None and last < upto:
            problem = verifylib.Problem("truncated", f"chain {chain} ends at seq {last}, "
                                        f"its head is at seq {upto}", chain, last + 1)
        if problem is None and last < after:
            problem = verifylib.Problem("truncated", f"chain {chain} ends before the previous"
                                        " checkpoint", chain, last + 1)
        if problem is not None:
            raise CheckpointRefused(
                f"refusing to sign a checkpoint: {problem.message}; run `strongroom audit verify`"
            )
        heads.append((chain, last, digest))
    return heads, checked


def _digests_at(positions: list[tuple[int, int]]) -> dict[tuple[int, int], str]:
    """Stored digests at (chain, seq) positions, in one query."""
    if not positions:
        return {}
    wanted = Q()
    for chain, seq in positions:
        wanted |= Q(chain=chain, seq=seq)
    rows = AuditEntry.objects.filter(wanted).values_list("chain", "seq", "digest")
    return {(c, s): d for c, s, d in rows}


_checkpoint_running = threading.Lock()


def _checkpoint_soon() -> None:
    """After a commit that crossed a checkpoint boundary: checkpoint in the background
    (one at a time per process), so no request waits for the signing and hashing."""
    if not _checkpoint_running.acquire(blocking=False):
        return

    def run() -> None:
        try:
            audit_checkpoint_create()
        except Exception:  # noqa: BLE001 - never crash a worker; verify reports the gap
            logger.exception("automatic audit checkpoint failed")
        finally:
            connections.close_all()
            _checkpoint_running.release()

    threading.Thread(target=run, name="audit-checkpoint", daemon=True).start()

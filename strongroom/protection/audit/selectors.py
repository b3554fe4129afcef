"""Audit reads: search, "whose data did this account see", "who saw this customer's
data", the IP of an event, and full verification.

None of these checks authorization: the console page or command calling them must
(the auditor role reads the log; reading it is itself an AUDIT_LOG_SEARCHED event).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db.models import BigIntegerField, Count, ExpressionWrapper, F, Max, Min, QuerySet

from strongroom.protection.audit.events import DATA_SEEN_EVENTS, ActorType, AuditEvent, Domain
from strongroom.protection.audit.internal import checkpoints as cplib
from strongroom.protection.audit.internal import trust as trustlib
from strongroom.protection.audit.internal import verify as verifylib
from strongroom.protection.audit.internal.verify import VerifyReport
from strongroom.protection.audit.models import AuditCheckpoint, AuditEntry, AuditOrigin
from strongroom.protection.vault.errors import KeyConfigError
from strongroom.protection.vault.signing import public_key_load


def micros(at: dt.datetime) -> int:
    if at.tzinfo is None:
        raise ValueError("use timezone-aware datetimes")
    delta = at - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def audit_search(
    *,
    actor_id: str | uuid.UUID | None = None,
    actor_type: ActorType | None = None,
    subject_id: str | uuid.UUID | None = None,
    events: Iterable[AuditEvent] | Domain | AuditEvent | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> QuerySet[AuditEntry]:
    """Events matching every given filter, newest first; ``until`` is exclusive.
    Slice or paginate the result (it is lazy)."""
    qs = AuditEntry.objects.all()
    if actor_id is not None:
        qs = qs.filter(actor_id=str(actor_id))
    if actor_type is not None:
        qs = qs.filter(actor_type=int(actor_type))
    if subject_id is not None:
        qs = qs.filter(subject_id=str(subject_id))
    if isinstance(events, Domain):
        qs = qs.filter(event__range=events.range)
    elif isinstance(events, AuditEvent):
        qs = qs.filter(event=int(events))
    elif events is not None:
        qs = qs.filter(event__in=[int(e) for e in events])
    if since is not None:
        qs = qs.filter(at_us__gte=micros(since))
    if until is not None:
        qs = qs.filter(at_us__lt=micros(until))
    return qs.order_by("-at_us", "-id")


@dataclass(frozen=True)
class SubjectAccess:
    subject_id: uuid.UUID
    events: int
    first_us: int
    last_us: int


def audit_subjects_seen_by(
    *, actor_id: str | uuid.UUID, since: dt.datetime, until: dt.datetime,
    events: Iterable[AuditEvent] = DATA_SEEN_EVENTS,
) -> list[SubjectAccess]:
    """Whose data did this account see between ``since`` and ``until``? One query
    (GROUP BY subject): the draft notification list after a compromised account."""
    rows = (
        AuditEntry.objects.filter(
            actor_id=str(actor_id), at_us__gte=micros(since), at_us__lt=micros(until),
            event__in=[int(e) for e in events],
        )
        .exclude(subject_id="")
        .values_list("subject_id")
        .annotate(n=Count("id"), first=Min("at_us"), last=Max("at_us"))
        .order_by("subject_id")
    )
    return [SubjectAccess(uuid.UUID(s), n, first, last) for s, n, first, last in rows]


def audit_access_to_subject(
    *, subject_id: str | uuid.UUID, since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> QuerySet[AuditEntry]:
    """Who (staff, API clients, the system) looked at or changed this subject's data,
    newest first: the customer's "who looked at my data and why"."""
    return audit_search(subject_id=subject_id, since=since, until=until).filter(
        actor_type__in=[int(ActorType.STAFF), int(ActorType.API_CLIENT), int(ActorType.SYSTEM)],
        event__in=[int(e) for e in DATA_SEEN_EVENTS],
    )


US_PER_DAY = 86_400_000_000


@dataclass(frozen=True)
class AccessGroup:
    """Repeated events of one kind by one actor on one object, with the same fields and
    reason, on one UTC day: a staff member paging through a list that shows a customer's
    name twenty times is one line, "20 times", not twenty."""

    event: int
    actor_type: int
    actor_id: str
    subject_id: str
    object_type: str
    object_id: str
    fields: str
    reason: str
    count: int
    first_us: int
    last_us: int

    @property
    def occurred_at(self) -> dt.datetime:  # the latest, like a single entry's time
        return dt.datetime.fromtimestamp(self.last_us / 1_000_000, tz=dt.UTC)

    @property
    def first_at(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.first_us / 1_000_000, tz=dt.UTC)

    @property
    def field_list(self) -> list[str]:
        return [f for f in self.fields.split(",") if f]


class _Groups:
    """A lazy, sliceable list of AccessGroup over one GROUP BY query (for Paginator)."""

    def __init__(self, qs: QuerySet) -> None:
        self._qs = qs

    def count(self) -> int:
        return self._qs.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice | int) -> list[AccessGroup] | AccessGroup:
        rows = self._qs[index]
        if isinstance(index, int):
            return self._group(rows)
        return [self._group(row) for row in rows]

    @staticmethod
    def _group(row: dict) -> AccessGroup:
        return AccessGroup(**{k: v for k, v in row.items() if k != "day"})


def audit_access_to_subject_grouped(
    *, subject_id: str | uuid.UUID, since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> _Groups:
    """``audit_access_to_subject`` folded per UTC day, actor, event, object, fields and
    reason, newest first: one GROUP BY in the database, paginated like a queryset."""
    day = ExpressionWrapper(F("at_us") / US_PER_DAY, output_field=BigIntegerField())
    keys = ("event", "actor_type", "actor_id", "subject_id", "object_type", "object_id",
            "fields", "reason")
    qs = (audit_access_to_subject(subject_id=subject_id, since=since, until=until)
          .order_by().annotate(day=day).values("day", *keys)
          .annotate(count=Count("id"), first_us=Min("at_us"), last_us=Max("at_us"))
          .order_by("-last_us", "event", "actor_id", "object_id"))
    return _Groups(qs)


def audit_entry_ip(*, entry: AuditEntry) -> str | None:
    """The decrypted IP address of an event, "[erased]" once its subject is erased,
    None if none was recorded (or retention removed it). Caller checks permission."""
    if not entry.origin_id:
        return None
    origin = AuditOrigin.objects.filter(pk=entry.origin_id).first()
    return None if origin is None else str(origin.ip)


def audit_tail(*, limit: int = 20) -> list[AuditEntry]:
    return list(AuditEntry.objects.order_by("-at_us", "-id")[:limit])[::-1]


def audit_verify(*, data_dir: Path | None = None, public_key: str | None = None,
                 workers: int = 1) -> VerifyReport:
    """Recompute every chain and check it against the signed checkpoints (database and
    file copies) and the chain heads. ``public_key`` (base64) pins the verifier's own
    copy of the key; by default the exported one in the data directory is used.
    A gap a restore declared (signed) is in ``report.gaps`` and a note, not a problem.
    ``workers`` > 1 walks the chains in that many forked processes: only from a
    single-threaded command, outside a transaction, never inside a web request."""
    data_dir = Path(data_dir or settings.STRONGROOM_DATA_DIR)
    report = VerifyReport()
    if public_key is None:
        try:
            public_key = public_key_load(data_dir=data_dir)
        except KeyConfigError as exc:
            report.notes.append(f"checkpoint signatures not checked: {exc}")
    db = [
        cplib.SignedCheckpoint(n, p, s, k)
        for n, p, s, k in AuditCheckpoint.objects.order_by("number").values_list(
            "number", "payload", "signature", "key_id")
    ]
    file, unreadable = cplib.file_read(data_dir)
    report.problems += [verifylib.Problem("checkpoint", line) for line in unreadable]
    if public_key is None and not (db or file):
        trusted: list[cplib.SignedCheckpoint] = []
    else:
        trusted = trustlib.checkpoints_check(db=db, file=file, public_b64=public_key,
                                             report=report)
    verifylib.verify_all(trusted=trusted, report=report, workers=workers)
    trustlib.gap_events_check(report)
    if not trusted:
        report.notes.append("no signed checkpoint yet: a deleted tail can only be detected "
                            "through the chain heads (run `strongroom audit checkpoint`)")
    return report


def audit_counts_by_actor(*, event: AuditEvent, actor_ids: list[str],
                          since: dt.datetime) -> dict[str, int]:
    """How many ``event`` entries each actor id wrote since ``since`` (access reviews:
    reveals per staff member in the period), one query."""
    rows = (AuditEntry.objects.filter(event=int(event), actor_id__in=actor_ids,
                                      at_us__gte=micros(since))
            .values("actor_id").annotate(n=Count("id")))
    return {r["actor_id"]: r["n"] for r in rows}


def audit_checkpoint_number_last() -> int:
    """The number of the newest signed checkpoint in the database (0 without one)."""
    return AuditCheckpoint.objects.order_by("-number").values_list(
        "number", flat=True).first() or 0

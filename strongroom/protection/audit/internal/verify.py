"""Verification: recompute every chain from its genesis and hold it against the signed
checkpoints and the chain heads.

Detects, per chain, the *first* event that was
* edited        - its columns no longer hash to its digest;
* deleted       - a gap in the sequence numbers;
* inserted      - a duplicate sequence number, or an event whose successor only
                  verifies one position earlier (the following events were renumbered);
* reordered     - an event that verifies at another position of its chain;
* truncated     - the chain ends before the last signed checkpoint (or its head);
* rewritten     - hashes recomputed by someone without the signing key: the chain
                  verifies but disagrees with a signed checkpoint.

Speed: one query per chain over a server-side cursor, the database concatenating the
covered columns, one SHA-256 per row in a tight loop. Hashing small rows holds the GIL,
so threads do not help; the 16 chains are independent, so ``verify_all(workers=N)``
walks them in N processes (see ``_walk_parallel``).

Which checkpoints are trusted (signatures, links, the gaps a restore declared) is
decided before the walk, in ``trust.py``.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from django.db import connection, connections

from strongroom.protection.audit.errors import AuditError, AuditUsageError
from strongroom.protection.audit.internal import chain as chainlib
from strongroom.protection.audit.internal.checkpoints import SignedCheckpoint
from strongroom.protection.audit.internal.report import Problem, VerifyReport
from strongroom.protection.audit.internal.trust import checkpoint_marks

__all__ = ["Problem", "VerifyReport", "chain_walk", "verify_all", "workers_default"]

_SELECT = (
    "SELECT seq, at_us, event, actor_type, actor_id, subject_id, object_type, object_id,"
    " fields, reason, request_id, origin_id, digest, id FROM audit_event"
)
WINDOW = 32  # rows each side of a failure searched to tell edit / insert / reorder


# --- chains ---------------------------------------------------------------------------------


def _stream(select: str, chain: int, after: int, upto: int | None,
            batch: int) -> Iterator[tuple[Any, ...]]:
    sql, params = f"{select} WHERE chain = %s AND seq > %s", [chain, after]
    if upto is not None:
        sql += " AND seq <= %s"
        params.append(upto)
    cursor = connection.chunked_cursor()
    try:
        cursor.execute(sql + " ORDER BY seq, id", params)
        while rows := cursor.fetchmany(batch):
            yield from rows
    finally:
        cursor.close()


def _rows(chain: int, after: int, upto: int | None) -> Iterator[tuple[Any, ...]]:
    return _stream(_SELECT, chain, after, upto, 5000)


# The walk lets the database join the covered columns (one string per row instead of
# thirteen values: the row fetch, not the hashing, is what limits speed). Both vendors
# render integers exactly as Python's str() does, so this is chain.encode() minus the
# previous digest; tests pin the equality on SQLite and PostgreSQL.
_JOINED = " || ".join(f"'{chainlib.SEP}' || {c}" for c in chainlib.COLUMNS)
_WALK_SELECT = f"SELECT seq, {_JOINED}, digest FROM audit_event"  # noqa: S608


def _walk_rows(chain: int, after: int, upto: int | None) -> Iterator[tuple[Any, ...]]:
    return _stream(_WALK_SELECT, chain, after, upto, 10_000)


def _row_at(chain: int, seq: int) -> tuple[Any, ...]:
    """The full row at ``seq``; with duplicates (an insert), the later one."""
    return list(_rows(chain, seq - 1, seq))[-1]


def chain_walk(
    chain: int, *, after: int = 0, prev: str | None = None, upto: int | None = None,
    marks: dict[int, tuple[str, int]] | None = None,
) -> tuple[int, int, str, Problem | None]:
    """Verify ``chain`` from (``after``, ``prev``); returns (rows, last seq, last digest,
    first problem or None)."""
    prev = chainlib.genesis(chain) if prev is None else prev
    marks = marks or {}
    expect = after + 1
    count = 0
    sha = hashlib.sha256
    for seq, encoded, stored in _walk_rows(chain, after, upto):
        if seq != expect:
            return count, expect - 1, prev, _sequence_problem(chain, expect, _row_at(chain, seq))
        digest = sha(f"{prev}{encoded}".encode()).hexdigest()
        if digest != stored:
            return count, expect - 1, prev, _classify(chain, seq, prev, _row_at(chain, seq))
        if seq in marks and marks[seq][0] != digest:
            pk = _row_at(chain, seq)[13]
            return count, expect - 1, prev, Problem(
                "rewritten", f"chain {chain} seq {seq} (event #{pk}) disagrees with signed "
                f"checkpoint {marks[seq][1]}: the log was rewritten at or before this event",
                chain, seq, pk)
        prev = digest
        expect += 1
        count += 1
    return count, expect - 1, prev, None


def _sequence_problem(chain: int, expect: int, row: tuple[Any, ...]) -> Problem:
    seq, pk = row[0], row[13]
    if seq > expect:
        missing = f"seq {expect}" if seq == expect + 1 else f"seqs {expect}..{seq - 1}"
        return Problem("deleted", f"chain {chain}: event(s) at {missing} were deleted (the "
                       f"log jumps to seq {seq}, event #{pk})", chain, expect, pk)
    return Problem("inserted", f"chain {chain} seq {seq}: event #{pk} was inserted (a second "
                   f"event with that sequence number)", chain, seq, pk)


def _content(row: tuple[Any, ...]) -> tuple[Any, ...]:
    return row[1:12]


def _classify(chain: int, seq: int, prev: str, row: tuple[Any, ...]) -> Problem:
    """The failing row's digest does not match: tell an edit from an insert, a delete
    with renumbering, or a reorder. Slow path (a few thousand hashes), runs once."""
    pk = row[13]
    window = list(_rows(chain, max(0, seq - WINDOW - 1), seq + WINDOW))
    by_seq = {r[0]: r for r in window}
    nxt = by_seq.get(seq + 1)

    def fits(r: tuple[Any, ...], at_prev: str, at_seq: int) -> bool:
        return chainlib.digest_of(at_prev, (chain, at_seq, *_content(r))) == r[12]

    before = by_seq.get(seq - 2)
    pprev = chainlib.genesis(chain) if seq == 2 else (before[12] if before else None)
    if seq >= 2 and pprev is not None and fits(row, pprev, seq - 1):
        inserted = by_seq[seq - 1]
        return Problem("inserted", f"chain {chain} seq {seq - 1}: event #{inserted[13]} was "
                       "inserted (the events after it were renumbered)", chain, seq - 1,
                       inserted[13])
    prevs = [chainlib.genesis(chain)] + [r[12] for r in window if r[13] != pk]
    for cand_prev in prevs:
        for cand_seq in range(max(1, seq - WINDOW - 1), seq + WINDOW + 2):
            if cand_seq != seq and fits(row, cand_prev, cand_seq):
                return Problem("reordered", f"chain {chain} seq {seq}: event #{pk} was moved "
                               f"(it was written as seq {cand_seq})", chain, seq, pk)
    if nxt is not None and fits(nxt, prev, seq):
        return Problem("inserted", f"chain {chain} seq {seq}: event #{pk} was inserted (the "
                       "events after it were renumbered)", chain, seq, pk)
    if nxt is not None:
        for shift in range(1, WINDOW):
            if fits(nxt, row[12], seq + 1 + shift):
                return Problem("deleted", f"chain {chain}: {shift} event(s) before seq {seq} "
                               f"(event #{pk}) were deleted and the rest renumbered",
                               chain, seq, pk)
    if nxt is not None and fits(nxt, row[12], seq + 1):
        detail = "its columns no longer match its digest"
    else:
        detail = "it, or the event before it with its digest recomputed, was altered"
    return Problem("edited", f"chain {chain} seq {seq}: event #{pk} was edited ({detail})",
                   chain, seq, pk)


def heads_read() -> dict[int, int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT chain, seq FROM audit_chainhead WHERE chain >= 0")
        return dict(cursor.fetchall())


def chains_present() -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT chain FROM audit_event")
        return {row[0] for row in cursor.fetchall()}


# --- walking every chain, in one process or several ----------------------------------------

Marks = dict[int, dict[int, tuple[str, int]]]
ChainResult = tuple[int, int, int, Problem | None]  # chain, rows, last seq, first problem


class VerifyWorkerFailed(AuditError):
    """A worker process could not finish its chains (database unreachable, killed):
    nothing is concluded about the log, in either direction."""

    code = "audit.verify_worker_failed"


def workers_default() -> int:
    """Every CPU this process may run on, at most one process per chain."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(cpus or 1, chainlib.CHAINS))


def _walk_one(chain: int, marks: Marks) -> ChainResult:
    count, last, _, problem = chain_walk(chain, marks=marks.get(chain))
    return chain, count, last, problem


def _worker_start() -> None:
    # Runs first in each forked worker. The parent closed every connection before the
    # fork, so this drops nothing live; it is here so that a connection object that
    # survived anyway is never used by two processes (interleaved protocol messages on
    # one PostgreSQL socket, a corrupted SQLite handle). Each worker opens its own.
    connections.close_all()


def _worker_walk(chains: list[int], marks: Marks) -> list[ChainResult]:
    try:
        return [_walk_one(chain, marks) for chain in chains]
    except Exception as exc:  # noqa: BLE001 - crosses the process boundary as one line
        first = (str(exc).strip().splitlines() or [""])[0][:300]
        raise RuntimeError(f"{type(exc).__name__}: {first}".rstrip(": ")) from None
    finally:
        connections.close_all()


def _buckets(chains: list[int], heads: dict[int, int], workers: int) -> list[list[int]]:
    """Chains dealt to ``workers`` processes, longest first onto the lightest load (the
    heads say how long each chain should be)."""
    loads: list[tuple[int, list[int]]] = [(0, []) for _ in range(workers)]
    for chain in sorted(chains, key=lambda c: (-heads.get(c, 0), c)):
        i = min(range(workers), key=lambda j: loads[j][0])
        loads[i] = (loads[i][0] + max(heads.get(chain, 0), 1), [*loads[i][1], chain])
    return [bucket for _, bucket in loads if bucket]


def _walk_parallel(chains: list[int], marks: Marks, heads: dict[int, int],
                   workers: int) -> list[ChainResult]:
    """Walk ``chains`` in ``workers`` forked processes.

    Why fork, and why it is safe here: a spawned worker would re-import Django (a
    second or more on a slow machine, as long as the whole walk) and would not see a
    database the caller switched to at run time (tests, the benchmark). Forking is safe
    because (1) every connection of this process is closed *before* the fork, so no
    socket or SQLite handle is shared, and each worker opens its own; (2) callers are
    the CLI and the benchmark, single-threaded, so no other thread holds a lock that
    would stay locked forever in the child (``audit_verify`` defaults to one process so
    a web request never forks a threaded server worker); (3) workers end with ``os._exit``,
    so the parent's atexit hooks (pending audit flushes) never run twice. Fork is only
    used on Linux; elsewhere (macOS system libraries are not fork-safe) the walk stays
    sequential.
    """
    if any(c.in_atomic_block for c in connections.all(initialized_only=True)):
        # Workers see committed rows only: inside a transaction they would verify a
        # different log than the caller sees.
        raise AuditUsageError("parallel audit verification reads committed data only: "
                              "run it outside a transaction, or with one worker")
    buckets = _buckets(chains, heads, workers)
    connections.close_all()
    context = multiprocessing.get_context("fork")
    results: list[ChainResult] = []
    with ProcessPoolExecutor(len(buckets), mp_context=context,
                             initializer=_worker_start) as pool:
        futures = [(bucket, pool.submit(_worker_walk, bucket, marks)) for bucket in buckets]
        for bucket, future in futures:
            try:
                results += future.result()
            except BrokenProcessPool:
                raise VerifyWorkerFailed(
                    "an audit verification worker process died (killed, or out of memory) "
                    "before it finished: nothing was concluded; run again, or with "
                    "--workers 1") from None
            except RuntimeError as exc:
                names = ", ".join(map(str, bucket))
                raise VerifyWorkerFailed(
                    f"audit verification of chains {names} failed in a worker process "
                    f"({exc}): nothing was concluded; check the database and run "
                    "again") from None
    return results


def verify_all(*, trusted: list[SignedCheckpoint], report: VerifyReport,
               workers: int = 1) -> None:
    """Walk every chain and add what is wrong to ``report``; the same report whether
    walked in one process or ``workers`` (problems in chain order, the first per chain)."""
    start = time.perf_counter()
    heads = heads_read()  # read before the walk: heads only move forward
    marks = checkpoint_marks(trusted)
    chains = sorted(set(heads) | chains_present() | set(marks))
    if workers > 1 and not sys.platform.startswith("linux"):
        report.notes.append("chains walked in one process: parallel verification forks, "
                            "which is only done on Linux")
        workers = 1
    workers = min(workers, len(chains))
    if workers > 1:
        results = sorted(_walk_parallel(chains, marks, heads, workers), key=lambda r: r[0])
    else:
        results = [_walk_one(chain, marks) for chain in chains]
    for chain, count, last, problem in results:
        report.events += count
        if problem is not None:
            report.problems.append(problem)
            continue
        signed = max(marks.get(chain, {}), default=0)
        if last < signed:
            number = marks[chain][signed][1]
            report.problems.append(Problem(
                "truncated", f"chain {chain} ends at seq {last} but signed checkpoint "
                f"{number} covers it up to seq {signed}: events {last + 1}..{signed} were "
                "deleted", chain, last + 1))
        elif last < heads.get(chain, 0):
            report.problems.append(Problem(
                "truncated", f"chain {chain} ends at seq {last} but its head is at seq "
                f"{heads[chain]}: events after seq {last} were deleted", chain, last + 1))
    report.chains = len(chains)
    report.workers = max(workers, 1)
    report.seconds = time.perf_counter() - start

"""The hash chains: canonical encoding, and appending one event under a chain lock.

Why several chains (``CHAINS`` = 16) and not one:
  A chain append must read the previous digest and write the next one with nothing in
  between, so the chain's head row stays locked until the *caller's* transaction
  commits (the event is written in the same transaction as the change it records, and
  a rolled-back change must not leave a hole). With one global chain, every audited
  transaction in the store would queue behind the slowest one. With 16 independent
  chains, each transaction locks one head it finds free (PostgreSQL ``FOR UPDATE SKIP
  LOCKED`` in ``audit_append``, starting from the connection's preferred chain, so one
  transaction's several events stay on one chain), and 8 concurrent writers never wait
  for each other. Only when every chain is busy does a writer block, on its preferred
  chain. SQLite has a single writer anyway (``BEGIN IMMEDIATE``), so there the choice
  is moot. Each chain is verified on its own from its genesis; signed checkpoints
  cover all 16 heads at once. Global order is (``at_us``, chain, seq): events of
  concurrent transactions have no more precise order than that anyway.

Canonical encoding of an event (``encode``): the previous digest, then each covered
column as text, joined by U+001F. ``audit_record`` refuses U+001F in any value, so
the joined string splits back into exactly one tuple: two different honest events can
never encode alike. Digest = SHA-256 of that, as lowercase hex.
"""

from __future__ import annotations

import hashlib
import random
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper

from strongroom.protection.audit.models import AuditChainHead

CHAINS = 16
SEP = "\x1f"
COLUMNS = (  # covered columns, in encoding order (after the previous digest)
    "chain", "seq", "at_us", "event", "actor_type", "actor_id", "subject_id",
    "object_type", "object_id", "fields", "reason", "request_id", "origin_id",
)
_sha256 = hashlib.sha256


def genesis(chain: int) -> str:
    """The 'previous digest' of a chain's first event."""
    return _sha256(f"strongroom.audit.v1 genesis chain {chain}".encode()).hexdigest()


def encode(prev: str, row: tuple[Any, ...]) -> bytes:
    """``row`` holds the COLUMNS values in order (ints and strs)."""
    return SEP.join((prev, *map(str, row))).encode()


def digest_of(prev: str, row: tuple[Any, ...]) -> str:
    return _sha256(encode(prev, row)).hexdigest()


class ChainHeadsMissing(RuntimeError):
    pass


def _preferred(connection: BaseDatabaseWrapper) -> int:
    chain = getattr(connection, "_audit_chain", None)
    if chain is None:
        chain = random.randrange(CHAINS)  # noqa: S311 - load spreading, not security
        connection._audit_chain = chain  # type: ignore[attr-defined]
    return chain


_INSERT_COLUMNS = ", ".join((*COLUMNS, "digest"))
_INSERT_VALUES = ", ".join(["%s"] * (len(COLUMNS) + 1))
_INSERT = f"INSERT INTO audit_event ({_INSERT_COLUMNS}) VALUES ({_INSERT_VALUES})"  # noqa: S608
_HEADS_MISSING = "audit chain heads are missing: run `strongroom migrate`"

# PostgreSQL appends with one call of this function (created by migration audit 0003):
# lock a free chain head (skipping heads other transactions hold, preferring ours; when
# every head is busy, wait for ours), advance it and store the new digest in one UPDATE,
# insert the event. One round trip, one new version of the head row and plans the server
# keeps per session, where two statements from Python cost twice the work of a plain
# INSERT (SPEC: an audited append >= 50 % of a raw INSERT).
# The digest is the SQL twin of ``encode``: the old digest, then every covered column as
# text, joined by U+001F (chr(31)), as UTF-8, SHA-256 in lowercase hex; ints as text are
# what ``str`` makes of them and no value is NULL (the columns are NOT NULL). ``verify``
# recomputes every digest in Python, and tests compare the two on awkward and random
# values, so the twins cannot drift apart unnoticed.
_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_append(
    preferred integer, p_at_us bigint, p_event integer, p_actor_type integer,
    p_actor_id text, p_subject_id text, p_object_type text, p_object_id text,
    p_fields text, p_reason text, p_request_id text, p_origin_id text)
RETURNS TABLE (chain smallint, seq bigint, digest varchar)
LANGUAGE plpgsql SET search_path FROM CURRENT AS $fn$
DECLARE
    c smallint;
    s bigint;
    d varchar;
BEGIN
    SELECT h.chain INTO c FROM audit_chainhead h WHERE h.chain >= 0
        ORDER BY (h.chain - preferred + 16) % 16 LIMIT 1 FOR UPDATE SKIP LOCKED;
    IF c IS NULL THEN
        c := preferred;
    END IF;
    UPDATE audit_chainhead h SET seq = h.seq + 1, digest = encode(sha256(convert_to(concat_ws(
            chr(31), h.digest, h.chain::text, (h.seq + 1)::text, p_at_us::text, p_event::text,
            p_actor_type::text, p_actor_id, p_subject_id, p_object_type, p_object_id,
            p_fields, p_reason, p_request_id, p_origin_id), 'UTF8')), 'hex')
        WHERE h.chain = c RETURNING h.seq, h.digest INTO s, d;
    IF s IS NULL THEN
        RETURN;
    END IF;
    INSERT INTO audit_event (chain, seq, at_us, event, actor_type, actor_id, subject_id,
            object_type, object_id, fields, reason, request_id, origin_id, digest)
        VALUES (c, s, p_at_us, p_event, p_actor_type, p_actor_id, p_subject_id,
            p_object_type, p_object_id, p_fields, p_reason, p_request_id, p_origin_id, d);
    chain := c;
    seq := s;
    digest := d;
    RETURN NEXT;
END
$fn$
"""
assert CHAINS == 16 and len(COLUMNS) == 13  # noqa: S101 - the function spells both out
_PG_APPEND = (
    "SELECT chain, seq, digest FROM audit_append(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
)


def append_function_create(connection: BaseDatabaseWrapper) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_PG_FUNCTION)


def append_function_drop(connection: BaseDatabaseWrapper) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DROP FUNCTION IF EXISTS audit_append")


def append(connection: BaseDatabaseWrapper, values: tuple[Any, ...]) -> tuple[int, int, str]:
    """Append one event (``values`` = COLUMNS minus chain and seq) to a chain.

    Must run inside a transaction: the head row lock is what serializes the chain, and
    it is released only when the caller commits or rolls back (a rollback also undoes
    the head's advance, so chains never have holes). Returns (chain, seq, digest).
    """
    preferred = _preferred(connection)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_PG_APPEND, [preferred, *values])
            row = cursor.fetchone()
            if row is None:
                raise ChainHeadsMissing(_HEADS_MISSING)
            chain, seq, digest = row
        else:  # SQLite has one writer at a time: no head to choose, no lock to skip
            cursor.execute(
                "UPDATE audit_chainhead SET seq = seq + 1 WHERE chain = %s"
                " RETURNING chain, seq, digest",
                [preferred],
            )
            head = cursor.fetchone()
            if head is None:
                raise ChainHeadsMissing(_HEADS_MISSING)
            chain, seq, prev = head
            digest = digest_of(prev, (chain, seq, *values))
            cursor.execute(
                "UPDATE audit_chainhead SET digest = %s WHERE chain = %s", [digest, chain]
            )
            cursor.execute(_INSERT, [chain, seq, *values, digest])
    connection._audit_chain = chain  # type: ignore[attr-defined]
    return chain, seq, digest


def heads_ensure() -> None:
    """Every chain's head row (and the checkpoint lock row) exists; missing ones start
    at their genesis. Used after ``flush`` and by the migration's twin."""
    AuditChainHead.objects.bulk_create(
        [AuditChainHead(chain=c, seq=0, digest=genesis(c)) for c in range(CHAINS)]
        + [AuditChainHead(chain=-1, seq=0, digest="")],
        ignore_conflicts=True,
    )

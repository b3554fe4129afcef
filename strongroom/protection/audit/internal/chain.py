"""The hash chains: canonical encoding, and appending one event under a chain lock.

Why several chains (``CHAINS`` = 16) and not one:
  A chain append must read the previous digest and write the next one with nothing in
  between, so the chain's head row stays locked until the *caller's* transaction
  commits (the event is written in the same transaction as the change it records, and
  a rolled-back change must not leave a hole). With one global chain, every audited
  transaction in the store would queue behind the slowest one. With 16 independent
  chains, each transaction locks one head it finds free (PostgreSQL
  ``FOR UPDATE SKIP LOCKED``, starting from the connection's preferred chain, so one
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
# Lock a free chain head (skipping heads other transactions hold), preferring ours.
_PG_ADVANCE = (
    "UPDATE audit_chainhead SET seq = seq + 1 WHERE chain = COALESCE(("
    " SELECT chain FROM audit_chainhead WHERE chain >= 0"
    " ORDER BY (chain - %s + 16) %% 16 LIMIT 1"  # 16 = CHAINS (asserted below)
    " FOR UPDATE SKIP LOCKED), %s) RETURNING chain, seq, digest"
)
assert CHAINS == 16  # noqa: S101
# One round trip: move the head's digest and insert the event.
_PG_INSERT = f"WITH h AS (UPDATE audit_chainhead SET digest = %s WHERE chain = %s) {_INSERT}"  # noqa: S608, E501


def append(connection: BaseDatabaseWrapper, values: tuple[Any, ...]) -> tuple[int, int, str]:
    """Append one event (``values`` = COLUMNS minus chain and seq) to a chain.

    Must run inside a transaction: the head row lock is what serializes the chain, and
    it is released only when the caller commits or rolls back (a rollback also undoes
    the head's advance, so chains never have holes). Returns (chain, seq, digest).
    """
    preferred = _preferred(connection)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_PG_ADVANCE, [preferred, preferred])
        else:
            cursor.execute(
                "UPDATE audit_chainhead SET seq = seq + 1 WHERE chain = %s"
                " RETURNING chain, seq, digest",
                [preferred],
            )
        head = cursor.fetchone()
        if head is None:
            raise ChainHeadsMissing("audit chain heads are missing: run `strongroom migrate`")
        chain, seq, prev = head
        connection._audit_chain = chain  # type: ignore[attr-defined]
        digest = digest_of(prev, (chain, seq, *values))
        params = [chain, seq, *values, digest]
        if connection.vendor == "postgresql":
            cursor.execute(_PG_INSERT, [digest, chain, *params])
        else:
            cursor.execute(
                "UPDATE audit_chainhead SET digest = %s WHERE chain = %s", [digest, chain]
            )
            cursor.execute(_INSERT, params)
    return chain, seq, digest


def heads_ensure() -> None:
    """Every chain's head row (and the checkpoint lock row) exists; missing ones start
    at their genesis. Used after ``flush`` and by the migration's twin."""
    from strongroom.protection.audit.models import AuditChainHead

    AuditChainHead.objects.bulk_create(
        [AuditChainHead(chain=c, seq=0, digest=genesis(c)) for c in range(CHAINS)]
        + [AuditChainHead(chain=-1, seq=0, digest="")],
        ignore_conflicts=True,
    )

"""The sandbox gateway's own SQLite database (``<data_dir>/gateway/gateway.sqlite3``).

Amounts are integers in minor units (cents), as processors' APIs use them."""

from __future__ import annotations

import json
import secrets
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
  id TEXT PRIMARY KEY, amount INTEGER NOT NULL, currency TEXT NOT NULL,
  reference TEXT NOT NULL, description TEXT NOT NULL, success_url TEXT NOT NULL,
  cancel_url TEXT NOT NULL, capture TEXT NOT NULL, status TEXT NOT NULL,
  payment_id TEXT, created REAL NOT NULL);
CREATE INDEX IF NOT EXISTS sessions_reference ON sessions(reference);
CREATE TABLE IF NOT EXISTS payments (
  id TEXT PRIMARY KEY, session_id TEXT NOT NULL UNIQUE REFERENCES sessions(id),
  status TEXT NOT NULL, amount INTEGER NOT NULL, amount_captured INTEGER NOT NULL DEFAULT 0,
  amount_refunded INTEGER NOT NULL DEFAULT 0, currency TEXT NOT NULL,
  brand TEXT NOT NULL DEFAULT '', last4 TEXT NOT NULL DEFAULT '',
  exp_month INTEGER, exp_year INTEGER, failure_code TEXT NOT NULL DEFAULT '',
  failure_message TEXT NOT NULL DEFAULT '', attempts INTEGER NOT NULL DEFAULT 0,
  created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS refunds (
  id TEXT PRIMARY KEY, payment_id TEXT NOT NULL REFERENCES payments(id),
  amount INTEGER NOT NULL, created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS idempotency (
  key TEXT NOT NULL, route TEXT NOT NULL, request_hash TEXT NOT NULL,
  status INTEGER NOT NULL, body TEXT NOT NULL, created REAL NOT NULL,
  PRIMARY KEY (key, route));
CREATE TABLE IF NOT EXISTS events (
  id TEXT PRIMARY KEY, type TEXT NOT NULL, payload TEXT NOT NULL, created REAL NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0, next_attempt REAL NOT NULL,
  delivered REAL, last_error TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS events_due ON events(delivered, next_attempt);
"""


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_urlsafe(18).replace('-', 'x').replace('_', 'y')}"


class Database:
    def __init__(self, path: Path):
        self.path = Path(path)
        with self.connect() as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.executescript(SCHEMA)

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(self.path, timeout=20, isolation_level=None)
        conn.row_factory = sqlite3.Row
        try:
            yield conn
        finally:
            conn.close()

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken at BEGIN so two writers queue, never interleave."""
        with self.connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    # --- reads -------------------------------------------------------------------------
    def session(self, conn: sqlite3.Connection, session_id: str) -> sqlite3.Row | None:
        return conn.execute("SELECT * FROM sessions WHERE id = ?", (session_id,)).fetchone()

    def payment(self, conn: sqlite3.Connection, payment_id: str | None) -> sqlite3.Row | None:
        if not payment_id:
            return None
        return conn.execute("SELECT * FROM payments WHERE id = ?", (payment_id,)).fetchone()

    def session_snapshot(self, conn: sqlite3.Connection, session_id: str,
                         public_url: str) -> dict[str, Any] | None:
        row = self.session(conn, session_id)
        if row is None:
            return None
        pay = self.payment(conn, row["payment_id"])
        return {
            "object": "checkout.session", "id": row["id"], "status": row["status"],
            "url": f"{public_url}/pay/{row['id']}", "amount": row["amount"],
            "currency": row["currency"], "reference": row["reference"],
            "capture": row["capture"], "created": int(row["created"]),
            "payment": payment_snapshot(pay) if pay is not None else None,
        }

    # --- events (the webhook outbox) ----------------------------------------------------
    def event_add(self, conn: sqlite3.Connection, event_type: str, obj: dict) -> str:
        now = time.time()
        event_id = new_id("evt")
        payload = json.dumps({"id": event_id, "type": event_type, "created": int(now),
                              "data": {"object": obj}}, separators=(",", ":"))
        conn.execute("INSERT INTO events (id, type, payload, created, next_attempt) "
                     "VALUES (?, ?, ?, ?, ?)", (event_id, event_type, payload, now, now))
        return event_id


def payment_snapshot(row: sqlite3.Row) -> dict[str, Any]:
    card = None
    if row["last4"]:
        card = {"brand": row["brand"], "last4": row["last4"], "exp_month": row["exp_month"],
                "exp_year": row["exp_year"]}
    return {
        "object": "payment", "id": row["id"], "status": row["status"],
        "amount": row["amount"], "amount_captured": row["amount_captured"],
        "amount_refunded": row["amount_refunded"], "currency": row["currency"],
        "card": card, "failure_code": row["failure_code"],
        "failure_message": row["failure_message"],
    }

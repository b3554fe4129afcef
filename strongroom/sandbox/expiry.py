"""Checkout sessions that nobody paid expire (Stripe's default: 24 hours), inside the
sandbox gateway's own process: the gateway is not part of the store, so this is a thread
beside its webhook deliverer, not a job of the store's worker.

An expired session's payment page refuses payment, and the store hears of it through a
``checkout.session.expired`` webhook (the order stays awaiting payment; a new attempt
starts a new session). Idempotent: only sessions still open are expired, once."""

from __future__ import annotations

import logging
import threading
import time

from .db import Database

log = logging.getLogger("strongroom.sandbox")
SESSION_LIFETIME = 24 * 3600.0
CHECK_EVERY = 60.0


def sessions_expire(db: Database, *, public_url: str, now: float | None = None,
                    lifetime: float = SESSION_LIFETIME) -> int:
    """Expire open sessions older than ``lifetime`` seconds; returns how many."""
    cutoff = (time.time() if now is None else now) - lifetime
    with db.write() as conn:
        due = [row["id"] for row in conn.execute(
            "SELECT id FROM sessions WHERE status = 'open' AND created < ?", (cutoff,))]
        for session_id in due:
            conn.execute("UPDATE sessions SET status = 'expired' WHERE id = ?", (session_id,))
            db.event_add(conn, "checkout.session.expired",
                         db.session_snapshot(conn, session_id, public_url))
    return len(due)


def expiry_run(db: Database, stop: threading.Event, *, public_url: str,
               lifetime: float = SESSION_LIFETIME, interval: float = CHECK_EVERY) -> None:
    while not stop.is_set():
        try:
            expired = sessions_expire(db, public_url=public_url, lifetime=lifetime)
            if expired:
                log.info("expired %d unpaid checkout session(s)", expired)
        except Exception:  # keep expiring whatever one bad pass does
            log.exception("checkout session expiry error")
        stop.wait(interval)

"""Webhook delivery from the outbox, retried with exponential backoff.

Each attempt is signed afresh with the current time (so the store's timestamp tolerance
holds for late retries). An event is delivered when the store answers 2xx; anything else,
including a timeout or a refused connection, schedules the next attempt."""

from __future__ import annotations

import logging
import ssl
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from .db import Database
from .signing import HEADER, header_value

log = logging.getLogger("strongroom.sandbox.webhooks")
MAX_ATTEMPTS = 16
MAX_DELAY = 3600.0

# (url, body, headers) -> HTTP status; raises OSError when the store cannot be reached.
Sender = Callable[[str, bytes, dict[str, str]], int]


def backoff(attempts: int) -> float:
    """Seconds before the next attempt after ``attempts`` failures: 1, 2, 4 … 3600."""
    return min(2.0 ** max(attempts - 1, 0), MAX_DELAY)


def https_sender(ca_file: Path | None, timeout: float = 10.0) -> Sender:
    context = ssl.create_default_context(cafile=str(ca_file) if ca_file else None)

    def send(url: str, body: bytes, headers: dict[str, str]) -> int:
        request = urllib.request.Request(url, data=body, headers=headers,  # noqa: S310
                                         method="POST")
        try:
            with urllib.request.urlopen(request, context=context,  # noqa: S310 - https
                                        timeout=timeout) as resp:
                return resp.status
        except urllib.error.HTTPError as exc:
            return exc.code

    return send


class Deliverer:
    def __init__(self, *, db: Database, url: str, secret: str | Callable[[], str],
                 sender: Sender, clock: Callable[[], float] = time.time):
        """``secret``: the signing secret, or a function giving the current one (read at
        each delivery, so a secret the store rolls is used without a restart)."""
        self.db, self.url, self.secret, self.sender, self.clock = db, url, secret, sender, clock

    def deliver_due(self) -> int:
        """Try every event that is due once; return how many were delivered."""
        now = self.clock()
        with self.db.connect() as conn:
            due = conn.execute(
                "SELECT id, payload, attempts FROM events WHERE delivered IS NULL "
                "AND attempts < ? AND next_attempt <= ? ORDER BY created LIMIT 50",
                (MAX_ATTEMPTS, now)).fetchall()
        delivered = 0
        secret = self.secret() if callable(self.secret) else self.secret
        for row in due:
            body = row["payload"].encode()
            headers = {"Content-Type": "application/json", "User-Agent": "strongroom-sandbox",
                       HEADER: header_value(secret, int(self.clock()), body)}
            try:
                status = self.sender(self.url, body, headers)
                error = "" if 200 <= status < 300 else f"HTTP {status}"
            except OSError as exc:
                error = type(exc).__name__
            with self.db.write() as conn:
                if not error:
                    conn.execute("UPDATE events SET delivered = ?, attempts = attempts + 1 "
                                 "WHERE id = ?", (self.clock(), row["id"]))
                    delivered += 1
                else:
                    attempts = row["attempts"] + 1
                    conn.execute(
                        "UPDATE events SET attempts = ?, next_attempt = ?, last_error = ? "
                        "WHERE id = ?",
                        (attempts, self.clock() + backoff(attempts), error, row["id"]))
                    # The store may simply not be up yet (`make run` starts the gateway
                    # first): say so only once retrying has gone on for a while.
                    level = logging.WARNING if attempts >= 6 else logging.DEBUG
                    log.log(level, "webhook %s not delivered (%s), attempt %d", row["id"],
                            error, attempts)
        return delivered

    def run(self, stop: threading.Event, interval: float = 0.5) -> None:
        while not stop.is_set():
            try:
                self.deliver_due()
            except Exception:  # keep delivering whatever one bad row does
                log.exception("webhook delivery loop error")
            stop.wait(interval)

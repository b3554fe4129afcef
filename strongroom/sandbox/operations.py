"""What the merchant API and the hosted page do to the gateway's books: open a checkout
session, charge a card attempt (authorise, capture), refund and capture. Each runs inside
the caller's write transaction (``Database.write``), so a double submit or a retried
request can never charge or refund twice."""

from __future__ import annotations

import re
import time
from typing import Any
from urllib.parse import urlsplit

from . import cards
from .db import Database, new_id
from .web import HttpError


class MerchantOperations:
    """Mixed into ``GatewayApp``: needs ``db`` and ``public_url`` (read at each call, so a
    test that moves the public URL after start-up is seen)."""

    db: Database
    public_url: str

    def _session_create(self, conn: Any, data: dict) -> dict:
        amount, currency = data.get("amount"), str(data.get("currency", "")).upper()
        if not isinstance(amount, int) or isinstance(amount, bool) or not 1 <= amount <= 10**10:
            raise HttpError(400, "invalid_amount", "amount must be a positive whole number "
                            "of minor units.")
        if not re.fullmatch(r"[A-Z]{3}", currency):
            raise HttpError(400, "invalid_currency", "currency must be an ISO 4217 code.")
        urls = {}
        for name in ("success_url", "cancel_url"):
            url = str(data.get(name, ""))
            if urlsplit(url).scheme != "https" or not urlsplit(url).netloc or len(url) > 1000:
                raise HttpError(400, f"invalid_{name}", f"{name} must be an https:// URL.")
            urls[name] = url
        capture = str(data.get("capture", "automatic"))
        if capture not in ("automatic", "manual"):
            raise HttpError(400, "invalid_capture", "capture is automatic or manual.")
        session_id = new_id("cs")
        conn.execute(
            "INSERT INTO sessions (id, amount, currency, reference, description, success_url,"
            " cancel_url, capture, status, created) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (session_id, amount, currency, str(data.get("reference", ""))[:64],
             str(data.get("description", ""))[:200], urls["success_url"], urls["cancel_url"],
             capture, "open", time.time()))
        return self.db.session_snapshot(conn, session_id, self.public_url)

    def _payment_locked(self, conn: Any, payment_id: str) -> Any:
        row = self.db.payment(conn, payment_id)
        if row is None:
            raise HttpError(404, "not_found", "No such payment.")
        return row

    def _refund(self, conn: Any, payment_id: str, data: dict) -> dict:
        pay = self._payment_locked(conn, payment_id)
        left = pay["amount_captured"] - pay["amount_refunded"]
        amount = data.get("amount", left)
        if pay["status"] not in ("captured", "partially_refunded"):
            raise HttpError(409, "not_refundable", "Only a captured payment can be refunded.")
        if not isinstance(amount, int) or isinstance(amount, bool) or not 0 < amount <= left:
            raise HttpError(400, "invalid_amount", f"The refund must be between 1 and {left}.")
        refunded = pay["amount_refunded"] + amount
        status = "refunded" if refunded == pay["amount_captured"] else "partially_refunded"
        refund_id = new_id("re")
        conn.execute("INSERT INTO refunds VALUES (?, ?, ?, ?)",
                     (refund_id, payment_id, amount, time.time()))
        conn.execute("UPDATE payments SET amount_refunded = ?, status = ? WHERE id = ?",
                     (refunded, status, payment_id))
        snap = self.db.session_snapshot(conn, pay["session_id"], self.public_url)
        self.db.event_add(conn, "payment.refunded", snap)
        return {"object": "refund", "id": refund_id, "amount": amount, "session": snap}

    def _capture(self, conn: Any, payment_id: str, data: dict) -> dict:
        pay = self._payment_locked(conn, payment_id)
        amount = data.get("amount", pay["amount"])
        if pay["status"] != "authorised":
            raise HttpError(409, "not_capturable", "Only an authorised payment can be captured.")
        if not isinstance(amount, int) or isinstance(amount, bool) or not 0 < amount <= pay[
                "amount"]:
            raise HttpError(400, "invalid_amount", "The capture exceeds the authorisation.")
        conn.execute("UPDATE payments SET status = 'captured', amount_captured = ? "
                     "WHERE id = ?", (amount, payment_id))
        snap = self.db.session_snapshot(conn, pay["session_id"], self.public_url)
        self.db.event_add(conn, "payment.captured", snap)
        return snap

    def _attempt(self, conn: Any, session_id: str, card: cards.Card) -> str:
        """Authorise (and, for automatic capture, capture) one card attempt. Runs in a
        write transaction: a completed session refuses further attempts, so a double
        submit or a second tab can never charge twice."""
        session = self.db.session(conn, session_id)
        if session is None:
            raise HttpError(404, "not_found", "No such checkout session.")
        if session["status"] == "expired":
            raise HttpError(409, "session_expired", "This checkout session has expired.")
        if session["status"] != "open":
            raise HttpError(409, "session_complete", "This checkout session is already paid.")
        payment_id = session["payment_id"] or new_id("pay")
        if session["payment_id"] is None:
            conn.execute("INSERT INTO payments (id, session_id, status, amount, currency, "
                         "created) VALUES (?, ?, 'open', ?, ?, ?)",
                         (payment_id, session_id, session["amount"], session["currency"],
                          time.time()))
            conn.execute("UPDATE sessions SET payment_id = ? WHERE id = ?",
                         (payment_id, session_id))
        fields = (card.brand, card.last4, card.exp_month, card.exp_year)
        if card.outcome == cards.SUCCESS:
            self._authorised(conn, session, payment_id, fields)
        elif card.outcome == cards.REQUIRES_ACTION:
            conn.execute("UPDATE payments SET status = 'requires_action', brand = ?, last4 = ?,"
                         " exp_month = ?, exp_year = ?, attempts = attempts + 1 WHERE id = ?",
                         (*fields, payment_id))
        else:
            conn.execute("UPDATE payments SET status = 'failed', brand = ?, last4 = ?, "
                         "exp_month = ?, exp_year = ?, failure_code = ?, failure_message = ?,"
                         " attempts = attempts + 1 WHERE id = ?",
                         (*fields, card.outcome, card.message, payment_id))
            self.db.event_add(conn, "payment.failed",
                              self.db.session_snapshot(conn, session_id, self.public_url))
        return card.outcome

    def _authorised(self, conn: Any, session: Any, payment_id: str, fields: tuple) -> None:
        captured = session["amount"] if session["capture"] == "automatic" else 0
        status = "captured" if captured else "authorised"
        conn.execute("UPDATE payments SET status = ?, amount_captured = ?, brand = ?, last4 = ?,"
                     " exp_month = ?, exp_year = ?, failure_code = '', failure_message = '', "
                     "attempts = attempts + 1 WHERE id = ?",
                     (status, captured, *fields, payment_id))
        conn.execute("UPDATE sessions SET status = 'complete' WHERE id = ?", (session["id"],))
        self.db.event_add(conn, "checkout.session.completed",
                          self.db.session_snapshot(conn, session["id"], self.public_url))

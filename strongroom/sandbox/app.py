"""The sandbox gateway as a WSGI application: a JSON API for the merchant (the store)
and the hosted payment page for the shopper."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from . import cards, pages
from .db import Database, new_id

log = logging.getLogger("strongroom.sandbox")
MAX_BODY = 16 * 1024
_SESSION = re.compile(r"cs_[A-Za-z0-9]{24}")
_PAYMENT = re.compile(r"pay_[A-Za-z0-9]{24}")
Response = tuple[int, list[tuple[str, str]], bytes]


class HttpError(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def form(self) -> dict[str, str]:
        parsed = parse_qs(self.body.decode("utf-8", "replace"), keep_blank_values=True)
        return {k: v[0] for k, v in parsed.items()}

    def json(self) -> dict[str, Any]:
        try:
            data = json.loads(self.body or b"{}")
        except ValueError:
            raise HttpError(400, "invalid_json", "The body is not valid JSON.") from None
        if not isinstance(data, dict):
            raise HttpError(400, "invalid_json", "The body must be a JSON object.")
        return data


class GatewayApp:
    """``public_url`` is where shoppers reach this gateway (``https://localhost:8444``)."""

    def __init__(self, *, db: Database, public_url: str, api_key: str, page_secret: str,
                 today: Callable[[], date] = date.today):
        self.db, self.public_url = db, public_url.rstrip("/")
        self._api_key, self._page_secret, self.today = api_key, page_secret, today

    # --- WSGI ---------------------------------------------------------------------------
    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        try:
            request = self._request(environ)
            status, headers, body = self.handle(request)
        except HttpError as exc:
            status, headers, body = _json(exc.status, {"error": {"code": exc.code,
                                                                 "message": exc.message}})
        headers = [*headers, *self._security_headers(headers)]
        start_response(f"{status} {_REASONS.get(status, 'Status')}", headers)
        return [body]

    def _request(self, environ: dict) -> Request:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            raise HttpError(400, "bad_request", "Bad Content-Length.") from None
        if length > MAX_BODY:
            raise HttpError(413, "too_large", "The request body is too large.")
        body = environ["wsgi.input"].read(length) if length > 0 else b""
        headers = {k[5:].replace("_", "-").lower(): v for k, v in environ.items()
                   if k.startswith("HTTP_")}
        return Request(method=environ["REQUEST_METHOD"], path=environ.get("PATH_INFO", "/"),
                       headers=headers, body=body)

    def _security_headers(self, headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
        present = {name.lower() for name, _ in headers}
        extra = [("Content-Security-Policy", pages.csp(())),
                 ("X-Frame-Options", "DENY"), ("X-Content-Type-Options", "nosniff"),
                 ("Referrer-Policy", "no-referrer"), ("Cache-Control", "no-store"),
                 ("Strict-Transport-Security", "max-age=31536000")]
        return [(k, v) for k, v in extra if k.lower() not in present]

    # --- routing ------------------------------------------------------------------------
    def handle(self, request: Request) -> Response:
        parts = [p for p in request.path.split("/") if p]
        method = request.method
        if parts == ["health"]:
            return _json(200, {"ok": True})
        if parts == ["static", "sandbox.css"]:
            return 200, [("Content-Type", "text/css; charset=utf-8"),
                         ("Cache-Control", "max-age=3600")], pages.CSS.encode()
        if parts[:1] == ["pay"] and len(parts) in (2, 3):
            session_id = _check(_SESSION, parts[1], "session")
            if len(parts) == 3 and parts[2] != "authenticate":
                raise HttpError(404, "not_found", "No such page.")
            if method == "GET":
                return self._page(session_id, authenticate=len(parts) == 3)
            if method == "POST":
                form = request.form()
                if len(parts) == 3:
                    return self._authenticate(session_id, form)
                return self._pay(session_id, form)
            raise HttpError(405, "method_not_allowed", "Method not allowed.")
        if parts[:1] == ["v1"]:
            self._authorise(request)
            return self._api(method, parts[1:], request)
        raise HttpError(404, "not_found", "No such page.")

    def _authorise(self, request: Request) -> None:
        supplied = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        if not supplied or not hmac.compare_digest(supplied.encode(), self._api_key.encode()):
            raise HttpError(401, "unauthorised", "Invalid API key.")

    def _api(self, method: str, parts: list[str], request: Request) -> Response:
        if parts == ["checkout", "sessions"] and method == "POST":
            return self._idempotent(request, "session", lambda conn: self._session_create(
                conn, request.json()))
        if parts[:2] == ["checkout", "sessions"] and len(parts) == 3 and method == "GET":
            with self.db.connect() as conn:
                snap = self.db.session_snapshot(conn, _check(_SESSION, parts[2], "session"),
                                                self.public_url)
            if snap is None:
                raise HttpError(404, "not_found", "No such checkout session.")
            return _json(200, snap)
        if (parts[:1] == ["payments"] and len(parts) == 3 and method == "POST"
                and parts[2] in ("refunds", "capture")):
            payment_id = _check(_PAYMENT, parts[1], "payment")
            handler = self._refund if parts[2] == "refunds" else self._capture
            return self._idempotent(request, parts[2], lambda conn: handler(
                conn, payment_id, request.json()))
        if (parts[:3] == ["test_helpers", "checkout", "sessions"] and len(parts) == 5
                and parts[4] == "pay" and method == "POST"):
            token = str(request.json().get("card", ""))
            if token not in cards.TEST_CARDS and token not in cards.TEST_TOKENS:
                raise HttpError(400, "invalid_card", "Name a test card: "
                                + ", ".join(sorted(cards.TEST_TOKENS)))
            number = cards.TEST_TOKENS[token]
            card = cards.card_check(number=number, expiry=f"12/{self.today().year + 3}",
                                    cvc="123", today=self.today())
            session_id = _check(_SESSION, parts[3], "session")
            with self.db.write() as conn:
                self._attempt(conn, session_id, card)
                snap = self.db.session_snapshot(conn, session_id, self.public_url)
            return _json(200, snap)
        raise HttpError(404, "not_found", "No such API route.")

    def _idempotent(self, request: Request, route: str, run: Callable[[Any], dict]) -> Response:
        """Stripe's contract: the same key and body replays the first answer; the same key
        with a different body is refused, so a retried request never acts twice."""
        key = request.headers.get("idempotency-key", "").strip()[:255]
        digest = hashlib.sha256(request.body).hexdigest()
        with self.db.write() as conn:
            if key:
                row = conn.execute("SELECT * FROM idempotency WHERE key = ? AND route = ?",
                                   (key, route)).fetchone()
                if row is not None:
                    if row["request_hash"] != digest:
                        raise HttpError(409, "idempotency_key_reused", "This idempotency key "
                                        "was used with different parameters.")
                    return row["status"], [("Content-Type", "application/json"),
                                           ("Idempotent-Replayed", "true")], row["body"].encode()
            result = run(conn)
            body = json.dumps(result)
            if key:
                conn.execute("INSERT INTO idempotency VALUES (?, ?, ?, ?, ?, ?)",
                             (key, route, digest, 200, body, time.time()))
        return 200, [("Content-Type", "application/json")], body.encode()

    # --- merchant operations --------------------------------------------------------------
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

    # --- the hosted payment page ---------------------------------------------------------
    def _form_token(self, session_id: str) -> str:
        return hmac.new(self._page_secret.encode(), session_id.encode(),
                        hashlib.sha256).hexdigest()

    def _page(self, session_id: str, *, authenticate: bool = False,
              error: pages.FormError | None = None, status: int = 200) -> Response:
        with self.db.connect() as conn:
            session = self.db.session(conn, session_id)
            pay = self.db.payment(conn, session["payment_id"]) if session else None
        if session is None:
            return pages.not_found()
        token = self._form_token(session_id)
        if session["status"] == "expired":
            return pages.message("This payment page has expired",
                                 "Nothing was charged. Return to the store to pay.", 410)
        if session["status"] != "open":
            return pages.complete(session)
        if authenticate:
            if pay is None or pay["status"] != "requires_action":
                return _redirect(f"/pay/{session_id}")
            return pages.authenticate(session, token)
        return pages.payment_form(session, token, error, status=status)

    def _token_ok(self, session_id: str, form: dict[str, str]) -> bool:
        return hmac.compare_digest(form.get("token", "").encode(),
                                   self._form_token(session_id).encode())

    def _pay(self, session_id: str, form: dict[str, str]) -> Response:
        if not self._token_ok(session_id, form):
            return pages.message("This form has expired", "Reload the page and try again.", 403)
        try:
            card = cards.card_check(number=form.get("number", ""), expiry=form.get("expiry", ""),
                                    cvc=form.get("cvc", ""), today=self.today())
        except cards.CardInvalid as exc:
            return self._page(session_id, error=pages.FormError(exc.field, exc.message),
                              status=400)
        try:
            with self.db.write() as conn:
                outcome = self._attempt(conn, session_id, card)
                session = self.db.session(conn, session_id)
        except HttpError as exc:
            if exc.code == "session_complete":
                return self._page(session_id)
            raise
        if outcome == cards.SUCCESS:
            return _redirect(_with_session(session["success_url"], session_id))
        if outcome == cards.REQUIRES_ACTION:
            return _redirect(f"/pay/{session_id}/authenticate")
        return self._page(session_id, error=pages.FormError("number", card.message), status=402)

    def _authenticate(self, session_id: str, form: dict[str, str]) -> Response:
        if not self._token_ok(session_id, form):
            return pages.message("This form has expired", "Reload the page and try again.", 403)
        with self.db.write() as conn:
            session = self.db.session(conn, session_id)
            pay = self.db.payment(conn, session["payment_id"]) if session else None
            if session is None or pay is None or pay["status"] != "requires_action":
                return _redirect(f"/pay/{session_id}")
            if form.get("action") == "complete":
                fields = (pay["brand"], pay["last4"], pay["exp_month"], pay["exp_year"])
                self._authorised(conn, session, pay["id"], fields)
                return _redirect(_with_session(session["success_url"], session_id))
            conn.execute("UPDATE payments SET status = 'failed', failure_code = "
                         "'authentication_failed', failure_message = ? WHERE id = ?",
                         ("We could not authenticate your payment.", pay["id"]))
            self.db.event_add(conn, "payment.failed",
                              self.db.session_snapshot(conn, session_id, self.public_url))
        return self._page(session_id, error=pages.FormError(
            "number", "We could not authenticate your payment: choose another card."),
            status=402)


def _check(pattern: re.Pattern, value: str, what: str) -> str:
    if not pattern.fullmatch(value):
        raise HttpError(404, "not_found", f"No such {what}.")
    return value


def _with_session(url: str, session_id: str) -> str:
    return url.replace("{CHECKOUT_SESSION_ID}", session_id)


def _json(status: int, data: dict) -> Response:
    return status, [("Content-Type", "application/json")], json.dumps(data).encode()


def _redirect(location: str) -> Response:
    return 303, [("Location", location), ("Content-Type", "text/plain")], b""


_REASONS = {200: "OK", 303: "See Other", 400: "Bad Request", 401: "Unauthorized",
            402: "Payment Required", 403: "Forbidden", 404: "Not Found",
            405: "Method Not Allowed", 409: "Conflict", 413: "Payload Too Large",
            500: "Internal Server Error"}


def page_secret_ensure(home: Path) -> str:
    """The gateway's own secret (it keys the hosted page's form tokens), 0600."""
    path = home / "page_secret"
    if not path.exists():
        import os

        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(32))
    return path.read_text().strip()

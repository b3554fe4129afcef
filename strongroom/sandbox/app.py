"""The sandbox gateway as a WSGI application: a JSON API for the merchant (the store)
and the hosted payment page for the shopper. Routing and the hosted page live here; what
they do to the gateway's books is ``operations``, the HTTP plumbing ``web``."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import re
import secrets
import time
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path
from typing import Any

from . import cards, pages
from .db import Database
from .operations import MerchantOperations
from .web import (
    MAX_BODY,
    REASONS,
    HttpError,
    Request,
    Response,
    check,
    json_response,
    redirect,
    with_session,
)

log = logging.getLogger("strongroom.sandbox")
_SESSION = re.compile(r"cs_[A-Za-z0-9]{24}")
_PAYMENT = re.compile(r"pay_[A-Za-z0-9]{24}")


class GatewayApp(MerchantOperations):
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
            status, headers, body = json_response(exc.status, {"error": {"code": exc.code,
                                                                 "message": exc.message}})
        headers = [*headers, *self._security_headers(headers)]
        start_response(f"{status} {REASONS.get(status, 'Status')}", headers)
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
            return json_response(200, {"ok": True})
        if parts == ["static", "sandbox.css"]:
            return 200, [("Content-Type", "text/css; charset=utf-8"),
                         ("Cache-Control", "max-age=3600")], pages.CSS.encode()
        if parts[:1] == ["pay"] and len(parts) in (2, 3):
            session_id = check(_SESSION, parts[1], "session")
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
                snap = self.db.session_snapshot(conn, check(_SESSION, parts[2], "session"),
                                                self.public_url)
            if snap is None:
                raise HttpError(404, "not_found", "No such checkout session.")
            return json_response(200, snap)
        if (parts[:1] == ["payments"] and len(parts) == 3 and method == "POST"
                and parts[2] in ("refunds", "capture")):
            payment_id = check(_PAYMENT, parts[1], "payment")
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
            session_id = check(_SESSION, parts[3], "session")
            with self.db.write() as conn:
                self._attempt(conn, session_id, card)
                snap = self.db.session_snapshot(conn, session_id, self.public_url)
            return json_response(200, snap)
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
                return redirect(f"/pay/{session_id}")
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
            return redirect(with_session(session["success_url"], session_id))
        if outcome == cards.REQUIRES_ACTION:
            return redirect(f"/pay/{session_id}/authenticate")
        return self._page(session_id, error=pages.FormError("number", card.message), status=402)

    def _authenticate(self, session_id: str, form: dict[str, str]) -> Response:
        if not self._token_ok(session_id, form):
            return pages.message("This form has expired", "Reload the page and try again.", 403)
        with self.db.write() as conn:
            session = self.db.session(conn, session_id)
            pay = self.db.payment(conn, session["payment_id"]) if session else None
            if session is None or pay is None or pay["status"] != "requires_action":
                return redirect(f"/pay/{session_id}")
            if form.get("action") == "complete":
                fields = (pay["brand"], pay["last4"], pay["exp_month"], pay["exp_year"])
                self._authorised(conn, session, pay["id"], fields)
                return redirect(with_session(session["success_url"], session_id))
            conn.execute("UPDATE payments SET status = 'failed', failure_code = "
                         "'authentication_failed', failure_message = ? WHERE id = ?",
                         ("We could not authenticate your payment.", pay["id"]))
            self.db.event_add(conn, "payment.failed",
                              self.db.session_snapshot(conn, session_id, self.public_url))
        return self._page(session_id, error=pages.FormError(
            "number", "We could not authenticate your payment: choose another card."),
            status=402)



def page_secret_ensure(home: Path) -> str:
    """The gateway's own secret (it keys the hosted page's form tokens), 0600."""
    path = home / "page_secret"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(32))
    return path.read_text().strip()

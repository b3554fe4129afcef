"""The sandbox's HTTP plumbing: a parsed request, JSON errors and responses, redirects.
Plain WSGI, no framework (the sandbox shares no code path with the store)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

MAX_BODY = 16 * 1024
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


def check(pattern: re.Pattern, value: str, what: str) -> str:
    if not pattern.fullmatch(value):
        raise HttpError(404, "not_found", f"No such {what}.")
    return value


def with_session(url: str, session_id: str) -> str:
    return url.replace("{CHECKOUT_SESSION_ID}", session_id)


def json_response(status: int, data: dict) -> Response:
    return status, [("Content-Type", "application/json")], json.dumps(data).encode()


def redirect(location: str) -> Response:
    return 303, [("Location", location), ("Content-Type", "text/plain")], b""


REASONS = {200: "OK", 303: "See Other", 400: "Bad Request", 401: "Unauthorized",
            402: "Payment Required", 403: "Forbidden", 404: "Not Found",
            405: "Method Not Allowed", 409: "Conflict", 413: "Payload Too Large",
            500: "Internal Server Error"}


"""The one base class for application errors (HackSoft style).

Services raise a subclass with a stable ``code``; views, the API and commands map it
to a 4xx response or a one-line message. Anything else that escapes is a bug.
"""

from __future__ import annotations


class ApplicationError(Exception):
    code: str = "error"
    status: int = 400

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if code is not None:
            self.code = code


class NotFound(ApplicationError):
    code = "not_found"
    status = 404


class Conflict(ApplicationError):
    code = "conflict"
    status = 409

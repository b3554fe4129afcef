"""Requests anyone can send must not flood the logs.

Django logs a request with a bad ``Host`` header, a body over
``DATA_UPLOAD_MAX_MEMORY_SIZE`` or too many form fields at ERROR with the full traceback
(about 25 lines each, on ``django.security.<ExceptionName>``). Any client can send them by
the thousand: the log fills, the real errors drown and, with log shipping, storage bills
grow. None of them is our fault or needs a stack trace, so this filter, attached to those
loggers in ``settings.LOGGING``, rewrites each record into one WARNING line without a
traceback and lets at most ``limit`` of a kind through per ``window`` seconds. The next
one after a quiet window says how many were suppressed, so the volume stays visible.

The limit is per process and in memory: the point is bounded log volume, not counting.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

# Django's logger suffix (the exception's class name) -> what the line says.
NOISY_KINDS = {
    "DisallowedHost": "request refused: Host header not in STRONGROOM_ALLOWED_HOSTS",
    "DisallowedRedirect": "request refused: unsafe redirect",
    "RequestDataTooBig": "request refused: body larger than the 1 MB limit",
    "TooManyFieldsSent": "request refused: too many form fields",
    "TooManyFilesSent": "request refused: too many files",
    "SuspiciousFileOperation": "request refused: suspicious file path",
    "SuspiciousMultipartForm": "request refused: malformed multipart body",
}
LOGGER_PREFIX = "django.security."


class _Window:
    __slots__ = ("start", "count", "suppressed")

    def __init__(self, start: float) -> None:
        self.start = start
        self.count = 0
        self.suppressed = 0


class OneLineRateLimited(logging.Filter):
    """Rewrite refused-request records to one WARNING line; rate-limit them per kind."""

    def __init__(self, limit: int = 10, window: float = 60.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.limit = limit
        self.window = window
        self.clock = clock
        self._lock = threading.Lock()
        self._windows: dict[str, _Window] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        kind = record.name.removeprefix(LOGGER_PREFIX)
        now = self.clock()
        with self._lock:
            state = self._windows.get(kind)
            suppressed = 0
            if state is None or now - state.start >= self.window:
                suppressed = state.suppressed if state is not None else 0
                state = self._windows[kind] = _Window(now)
            if state.count >= self.limit:
                state.suppressed += 1
                return False
            state.count += 1
        self._rewrite(record, kind, suppressed)
        return True

    def _rewrite(self, record: logging.LogRecord, kind: str, suppressed: int) -> None:
        request = getattr(record, "request", None)
        where = ""
        if request is not None:
            # The path only (no query string, no header values: they are the attacker's
            # text and may be long); the address is the one ClientAddressMiddleware set.
            path = request.path[:200].encode("unicode_escape").decode("ascii")
            where = f" ({request.method} {path} from {request.META.get('REMOTE_ADDR', '?')})"
        text = NOISY_KINDS.get(kind, f"request refused: {kind}") + where
        if suppressed:
            text += f"; {suppressed} more like it suppressed in the last {self.window:g} s"
        record.msg, record.args = text, None
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        record.exc_info, record.exc_text, record.stack_info = None, None, None


def logging_config(filter_name: str = "refused_requests") -> dict[str, dict]:
    """The ``loggers`` entries for settings.LOGGING: each noisy kind gets the filter.
    Filters on a logger run only for records logged on that very logger, hence one entry
    per kind rather than one on ``django.security``."""
    return {f"{LOGGER_PREFIX}{kind}": {"level": "WARNING", "filters": [filter_name]}
            for kind in NOISY_KINDS}

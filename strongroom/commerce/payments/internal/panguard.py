"""PAN guard: no card number survives into a log line.

Every run of 13–19 digits, optionally separated by single spaces or dashes, that passes
the Luhn check is replaced. The store never receives card numbers (SAQ A), so a PAN in a
log means a shopper typed one into the wrong field or a bug echoed one: either way it must
not be written down. Sub-runs are checked too, so a PAN glued to other digits ("order 12
4242 4242 4242 4242") is still caught. False positives (a 13-digit timestamp that happens
to pass Luhn) are the price, and a cheap one."""

from __future__ import annotations

import logging
import re

REDACTED = "[card number redacted]"
_RUN = re.compile(r"[0-9](?:[ -]?[0-9]){12,}")


def _luhn(digits: list[int]) -> bool:
    total = 0
    for i, n in enumerate(reversed(digits)):
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


MAX_RUN_DIGITS = 64  # longer runs are redacted whole: bounded work on hostile input


def _redact_run(run: str) -> str:
    if sum(ch.isdigit() for ch in run) > MAX_RUN_DIGITS:
        return REDACTED
    positions = [i for i, ch in enumerate(run) if ch.isdigit()]
    digits = [ord(run[i]) - 48 for i in positions]
    hit = [False] * len(digits)
    for start in range(len(digits) - 12):
        for length in range(19, 12, -1):
            end = start + length
            if end <= len(digits) and _luhn(digits[start:end]):
                for k in range(start, end):
                    hit[k] = True
                break
    if not any(hit):
        return run
    out, k = [], 0
    while k < len(digits):
        if hit[k]:
            j = k
            while j + 1 < len(digits) and hit[j + 1]:
                j += 1
            out.append((positions[k], positions[j] + 1))
            k = j + 1
        else:
            k += 1
    text, last = [], 0
    for a, b in out:
        text.append(run[last:a])
        text.append(REDACTED)
        last = b
    text.append(run[last:])
    return "".join(text)


def redact(text: str) -> str:
    if not isinstance(text, str) or not _RUN.search(text):
        return text
    return _RUN.sub(lambda m: _redact_run(m.group(0)), text)


def redact_record(record: logging.LogRecord) -> logging.LogRecord:
    """Format the message now (arguments included) and redact it, with any traceback."""
    if getattr(record, "_pan_guarded", False):
        return record
    try:
        message = record.getMessage()
    except Exception:  # a broken format string: keep the raw message, still redacted
        message = str(record.msg)
    record.msg, record.args = redact(message), ()
    if record.exc_info and not record.exc_text:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    record._pan_guarded = True
    return record


class PanGuard(logging.Filter):
    """Attach to every handler (settings.LOGGING does): records pass, redacted."""

    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record)
        return True


def install_record_factory() -> None:
    """Redact at record creation too, so handlers added by anyone, anywhere, are covered."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "_pan_guard", False):
        return

    def factory(*args, **kwargs) -> logging.LogRecord:
        return redact_record(previous(*args, **kwargs))

    factory._pan_guard = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)

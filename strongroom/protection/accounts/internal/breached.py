"""Have I Been Pwned's range API, k-anonymity style: only the first five hex digits of
the password's SHA-1 leave the store, and the padded answer lists every suffix with
that prefix, so the service never learns the password or whether it matched."""

from __future__ import annotations

import hashlib
import logging
import urllib.error
import urllib.request

from django.conf import settings

logger = logging.getLogger(__name__)
TIMEOUT_SECONDS = 3.0


def times_seen(password: str) -> int | None:
    """How often the password appears in known breaches, or None if unreachable."""
    digest = hashlib.sha1(password.encode("utf-8", "surrogatepass")).hexdigest().upper()  # noqa: S324 - the API's protocol
    prefix, suffix = digest[:5], digest[5:]
    url = settings.STRONGROOM_ACCOUNTS.breached_password_api.rstrip("/") + "/" + prefix
    request = urllib.request.Request(url, headers={"Add-Padding": "true",  # noqa: S310
                                                   "User-Agent": "strongroom"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            body = response.read(2_000_000).decode("ascii", "replace")
    except (OSError, urllib.error.URLError, ValueError) as exc:
        logger.warning("breached-password check unavailable: %s", type(exc).__name__)
        return None
    for line in body.splitlines():
        candidate, _, count = line.strip().partition(":")
        if candidate.upper() == suffix:
            try:
                return int(count)
            except ValueError:
                return 1
    return 0

"""Rolling a gateway's webhook signing secret (what Stripe calls "roll endpoint secret").

A new secret replaces the stored one; the old one is still accepted for a bounded grace
(24 hours by default, or until the owner says the gateway uses the new one), so no
payment webhook is lost while the gateway is updated, and is refused after it.

Only a secret stored in the data directory (the sandbox's ``sandbox-credentials.json``,
0600) can be rolled from the store: one set by an environment variable is changed there
(``WebhookSecretNotRotatable`` says which). Stripe's endpoint secret is always made by
Stripe, so it is rolled in the Stripe dashboard (Stripe signs with both during its own
expiry window) and then set in ``STRONGROOM_STRIPE_WEBHOOK_SECRET``.

The file is read at each verification, so every app process accepts the new secret at
once; the sandbox gateway (``strongroom gateway``) re-reads the same file at each
delivery, so it signs with the new one without a restart. The secrets themselves are
never logged, audited or returned but once.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings

from strongroom.config import SANDBOX_CREDENTIALS_FILE

from .errors import PaymentError

GATEWAYS = ("sandbox", "stripe")
GRACE = timedelta(hours=24)
ENV = {"sandbox": "STRONGROOM_SANDBOX_WEBHOOK_SECRET",
       "stripe": "STRONGROOM_STRIPE_WEBHOOK_SECRET"}


class WebhookSecretNotRotatable(PaymentError):
    """The gateway is not configured, or its secret is not the store's to change."""

    code = "webhook_secret_not_rotatable"


@dataclass(frozen=True)
class WebhookSecretState:
    gateway: str
    env: str  # the environment variable that sets it, or "" when stored in the data dir
    previous_until: float | None  # while the old secret is still accepted (unix time)

    @property
    def grace_ends(self) -> datetime | None:
        return (None if self.previous_until is None
                else datetime.fromtimestamp(self.previous_until, UTC))


@dataclass
class StagedSecret:
    """A new secret written beside the file, installed at commit (``install``) or
    dropped (``discard``). ``secret`` is shown once to the owner, never stored elsewhere."""

    gateway: str
    secret: str
    previous_until: float
    _staged: Path
    _path: Path

    def install(self) -> None:
        os.replace(self._staged, self._path)

    def discard(self) -> None:
        self._staged.unlink(missing_ok=True)


def _path() -> Path:
    return Path(settings.STRONGROOM_DATA_DIR) / SANDBOX_CREDENTIALS_FILE


def _stored() -> dict:
    try:
        data = json.loads(_path().read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _configured(gateway: str) -> bool:
    config = settings.STRONGROOM_PAYMENTS
    if gateway == "sandbox":
        return bool(config.sandbox_api_key and config.sandbox_webhook_secret)
    return bool(config.stripe_secret_key and config.stripe_webhook_secret)


def webhook_secret_states(*, now: float | None = None) -> list[WebhookSecretState]:
    """One line per configured gateway, for the incident page (no secret in it)."""
    now = time.time() if now is None else now
    config, out = settings.STRONGROOM_PAYMENTS, []
    for gateway in GATEWAYS:
        if not _configured(gateway):
            continue
        from_env = gateway == "stripe" or config.sandbox_webhook_secret_from_env
        until = None if from_env else _grace_until(_stored(), now)
        out.append(WebhookSecretState(gateway, ENV[gateway] if from_env else "", until))
    return out


def _grace_until(data: dict, now: float) -> float | None:
    until = data.get("previous_until")
    if data.get("previous_webhook_secret") and isinstance(until, int | float) and now < until:
        return float(until)
    return None


def webhook_secrets_accepted(*, gateway: str, configured: str,
                             now: float | None = None) -> list[str]:
    """The secrets a delivery may be signed with: the stored one, and the old one while
    its grace lasts. A secret from the environment is the only one."""
    config = settings.STRONGROOM_PAYMENTS
    if gateway != "sandbox" or config.sandbox_webhook_secret_from_env:
        return [configured]
    data = _stored()
    current = str(data.get("webhook_secret") or "")
    if not current:
        return [configured]
    accepted = [current]
    if _grace_until(data, time.time() if now is None else now) is not None:
        accepted.append(str(data["previous_webhook_secret"]))
    return accepted


def _check(gateway: str) -> None:
    if gateway not in GATEWAYS:
        raise WebhookSecretNotRotatable(f"No payment gateway called {gateway!r}.")
    if not _configured(gateway):
        raise WebhookSecretNotRotatable(f"The {gateway} gateway is not configured: it has "
                                        "no webhook secret to roll.")
    if gateway == "stripe":
        raise WebhookSecretNotRotatable(
            "Stripe's webhook secret is set by STRONGROOM_STRIPE_WEBHOOK_SECRET and made by "
            "Stripe: roll it in the Stripe dashboard (Webhooks, your endpoint, Roll secret; "
            "Stripe keeps signing with the old one for the expiry you choose), put the new "
            "one in STRONGROOM_STRIPE_WEBHOOK_SECRET and restart every app process.")
    if settings.STRONGROOM_PAYMENTS.sandbox_webhook_secret_from_env:
        raise WebhookSecretNotRotatable(
            "The sandbox webhook secret is set by STRONGROOM_SANDBOX_WEBHOOK_SECRET, not by "
            "the data directory's credentials file: put a new secret there and in the "
            "sandbox gateway's settings, and restart both.")
    if not _stored().get("webhook_secret"):
        raise WebhookSecretNotRotatable(f"{_path()} holds no webhook secret: run "
                                        "`strongroom init`.")


def _write_staged(path: Path, data: dict) -> Path:
    staged = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    fd = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:  # written before the commit: a full disk fails here
        handle.write(json.dumps(data))
        handle.flush()
        os.fsync(handle.fileno())
    return staged


def webhook_secret_stage(*, gateway: str, grace: timedelta = GRACE,
                         now: float | None = None) -> StagedSecret:
    """A new secret for ``gateway``, the current one kept as the old one until ``now +
    grace`` (a second roll drops the one before). Nothing changes until ``install``.
    Raises WebhookSecretNotRotatable (with what to do instead)."""
    _check(gateway)
    if grace < timedelta(0) or grace > timedelta(days=7):
        raise WebhookSecretNotRotatable("The grace lasts between 0 and 7 days.")
    now = time.time() if now is None else now
    data, new = _stored(), "whsec_" + secrets.token_urlsafe(32)
    until = now + grace.total_seconds()
    data.update(previous_webhook_secret=data["webhook_secret"], previous_until=until,
                webhook_secret=new)
    path = _path()
    return StagedSecret(gateway, new, until, _write_staged(path, data), path)


def webhook_secret_grace_end(*, gateway: str, now: float | None = None) -> StagedSecret:
    """Stop accepting the old secret now (the gateway signs with the new one). Raises
    WebhookSecretNotRotatable when no old secret is being accepted."""
    _check(gateway)
    data = _stored()
    if _grace_until(data, time.time() if now is None else now) is None:
        raise WebhookSecretNotRotatable(f"The {gateway} gateway has no old webhook secret "
                                        "still accepted.")
    data.pop("previous_webhook_secret", None)
    data.pop("previous_until", None)
    path = _path()
    return StagedSecret(gateway, "", 0.0, _write_staged(path, data), path)

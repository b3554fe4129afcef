"""Payments settings: which gateway takes payments, and its credentials."""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from strongroom.config.parse import ConfigError

SANDBOX_CREDENTIALS_FILE = "sandbox-credentials.json"
PAYMENT_GATEWAYS = ("none", "sandbox", "stripe")


@dataclass(frozen=True)
class PaymentConfig:
    """Which gateway takes payments and its credentials. ``repr`` never shows a secret."""

    gateway: str
    sandbox_url: str = "https://localhost:8444"
    sandbox_api_key: str = field(default="", repr=False)
    sandbox_webhook_secret: str = field(default="", repr=False)
    sandbox_webhook_secret_from_env: bool = False  # else the data dir's credentials file
    stripe_secret_key: str = field(default="", repr=False)
    stripe_webhook_secret: str = field(default="", repr=False)
    stripe_api_base: str = ""  # tests point the library at a fake Stripe on 127.0.0.1
    timeout: float = 10.0


def sandbox_credentials_create(data_dir: Path) -> tuple[Path, bool]:
    """The store's account at the sandbox gateway: an API key and a webhook signing secret,
    in one 0600 file, made once. Returns (path, created)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / SANDBOX_CREDENTIALS_FILE
    if path.exists():
        return path, False
    body = json.dumps({"api_key": "sk_sandbox_" + secrets.token_urlsafe(32),
                       "webhook_secret": "whsec_" + secrets.token_urlsafe(32)})
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(body)
    return path, True


def sandbox_credentials_read(data_dir: Path) -> dict[str, str]:
    path = data_dir / SANDBOX_CREDENTIALS_FILE
    if not path.exists():
        return {}
    if path.stat().st_mode & 0o077:
        raise ConfigError(f"{path} is readable by other users: run `chmod 600 {path}`")
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        raise ConfigError(f"{path} is not valid JSON: delete it and run `strongroom init`"
                          ) from None
    return {k: str(v) for k, v in data.items() if k in {"api_key", "webhook_secret"}}


def payments_load(env: dict[str, str], data_dir: Path) -> PaymentConfig:
    stored = sandbox_credentials_read(data_dir)
    default = "sandbox" if stored else "none"
    gateway = env.get("STRONGROOM_PAYMENT_GATEWAY", "").strip().lower() or default
    if gateway not in PAYMENT_GATEWAYS:
        raise ConfigError(f"STRONGROOM_PAYMENT_GATEWAY={gateway!r} is not one of "
                          f"{', '.join(PAYMENT_GATEWAYS)}")
    sandbox_url = env.get("STRONGROOM_SANDBOX_URL", "").strip() or "https://localhost:8444"
    if not sandbox_url.startswith("https://"):
        raise ConfigError("STRONGROOM_SANDBOX_URL must start with https:// "
                          "(the sandbox gateway is served over TLS)")
    settings = PaymentConfig(
        gateway=gateway,
        sandbox_url=sandbox_url.rstrip("/"),
        sandbox_api_key=env.get("STRONGROOM_SANDBOX_API_KEY", "").strip()
        or stored.get("api_key", ""),
        sandbox_webhook_secret=env.get("STRONGROOM_SANDBOX_WEBHOOK_SECRET", "").strip()
        or stored.get("webhook_secret", ""),
        sandbox_webhook_secret_from_env=bool(
            env.get("STRONGROOM_SANDBOX_WEBHOOK_SECRET", "").strip()),
        stripe_secret_key=env.get("STRONGROOM_STRIPE_SECRET_KEY", "").strip(),
        stripe_webhook_secret=env.get("STRONGROOM_STRIPE_WEBHOOK_SECRET", "").strip(),
        stripe_api_base=env.get("STRONGROOM_STRIPE_API_BASE", "").strip().rstrip("/"),
    )
    if gateway == "sandbox" and not (settings.sandbox_api_key
                                     and settings.sandbox_webhook_secret):
        raise ConfigError("STRONGROOM_PAYMENT_GATEWAY=sandbox needs credentials: run "
                          "`strongroom init` (or set STRONGROOM_SANDBOX_API_KEY and "
                          "STRONGROOM_SANDBOX_WEBHOOK_SECRET)")
    if gateway == "stripe" and not (settings.stripe_secret_key
                                    and settings.stripe_webhook_secret):
        raise ConfigError("STRONGROOM_PAYMENT_GATEWAY=stripe needs STRONGROOM_STRIPE_SECRET_KEY "
                          "and STRONGROOM_STRIPE_WEBHOOK_SECRET (from the Stripe dashboard)")
    return settings


"""Strongroom's configuration: every ``STRONGROOM_*`` variable, typed, read here only.

Values come from the process environment, then from an optional ``.env`` file in
the working directory (the environment wins). A bad value raises ``ConfigError``
whose message is one line saying what is wrong and how to fix it; the command
line prints that line and exits non-zero instead of showing a traceback.

Each settings group has its module (``accounts``, ``backups``, ``jobs``, ``payments``,
``secretkey``, ``web``); this one assembles them into ``Config`` and keeps every name
importable as ``strongroom.config.<name>``.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import dotenv_values

from strongroom.config.accounts import AccountsConfig, accounts_load
from strongroom.config.backups import BackupConfig, backups_load
from strongroom.config.jobs import JobsConfig, jobs_load
from strongroom.config.parse import ConfigError, csv, integer, truthy
from strongroom.config.payments import (
    PAYMENT_GATEWAYS,
    SANDBOX_CREDENTIALS_FILE,
    PaymentConfig,
    payments_load,
    sandbox_credentials_create,
    sandbox_credentials_read,
)
from strongroom.config.secretkey import (
    MIN_SECRET_KEY_CHARS,
    MIN_SECRET_KEY_LENGTH,
    SECRET_KEY_FALLBACKS_FILE,
    SECRET_KEY_FILE,
    secret_key_create,
    secret_key_fallbacks,
    secret_key_is_weak,
    secret_key_read,
)
from strongroom.config.web import (
    data_dir_read,
    database_url_read,
    proxy_hops_read,
    public_url_read,
)

# The names the settings groups had when this was one module (tests call them).
_accounts, _jobs = accounts_load, jobs_load


@dataclass(frozen=True)
class Config:
    debug: bool
    data_dir: Path
    database_url: str
    allowed_hosts: list[str]
    secret_key: str = field(repr=False)  # never in a log line or traceback
    redis_url: str | None
    store_name: str
    currency: str
    behind_proxy: bool
    hsts_seconds: int
    email_url: str
    default_from_email: str
    log_level: str
    # The compiled read path of encrypted fields (vault/internal/_fastread.c): on unless
    # turned off; off (or not built) means the same reads in pure Python, slower.
    vault_speedups: bool = True
    proxy_hops: int = 1  # reverse proxies in front of the store (with behind_proxy)
    payments: PaymentConfig = field(default_factory=lambda: PaymentConfig(gateway="none"))
    accounts: AccountsConfig = field(default_factory=AccountsConfig)
    jobs: JobsConfig = field(default_factory=JobsConfig)
    extra: dict[str, str] = field(default_factory=dict, repr=False)  # holds secrets too
    db_conn_max_age: int = 60  # seconds a PostgreSQL connection is kept (0: per request)
    # Months between staff access reviews (PCI DSS 7.2.4 asks for at least every six).
    access_review_months: int = 6
    # The origin every emailed or externally given link is built from (never the request's
    # Host header); derived from the first allowed host when STRONGROOM_PUBLIC_URL is unset.
    public_url: str = "https://localhost"
    public_url_configured: bool = False
    # Earlier secret keys still accepted for sessions and signed links (rotation).
    secret_key_fallbacks: list[str] = field(default_factory=list, repr=False)
    # The key is the data directory's file (not STRONGROOM_SECRET_KEY): a rotation from
    # the incident page replaces it, and every process reloads it (config.secretwatch).
    secret_key_from_file: bool = False

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _environment(environ: dict[str, str] | None, dotenv_path: Path | None) -> dict[str, str]:
    env: dict[str, str] = {}
    dotenv_file = dotenv_path if dotenv_path is not None else Path.cwd() / ".env"
    if dotenv_file.is_file():
        env.update({k: v for k, v in dotenv_values(dotenv_file).items() if v is not None})
    env.update(os.environ if environ is None else environ)
    return env


@dataclass(frozen=True)
class InitConfig:
    """What ``strongroom init`` needs, readable before any secret key exists."""

    data_dir: Path
    allowed_hosts: list[str]
    kek: str | None = None  # STRONGROOM_KEK, if the operator supplies the vault's KEK


def load_for_init(
    environ: dict[str, str] | None = None, *, dotenv_path: Path | None = None
) -> InitConfig:
    env = _environment(environ, dotenv_path)
    return InitConfig(
        data_dir=data_dir_read(env),
        allowed_hosts=csv(env.get("STRONGROOM_ALLOWED_HOSTS", "")),
        kek=env.get("STRONGROOM_KEK", "").strip() or None,
    )


_help_only = False


def help_only_enable() -> None:
    """This process only prints help or a version (``strongroom --help``, ``strongroom
    keys --help``): a store that is not configured yet loads with throwaway placeholders
    instead of stopping, so a newcomer can read the help before ``strongroom init``.
    Never enabled for a command that runs: the command line decides (``strongroom.cli``)."""
    global _help_only
    _help_only = True


def load(environ: dict[str, str] | None = None, *, dotenv_path: Path | None = None) -> Config:
    """Read and validate every setting; raise ConfigError on the first bad one."""
    try:
        return _load(environ, dotenv_path)
    except ConfigError:
        if not _help_only:
            raise
    # Help only: nothing is served, stored or signed, and no file of the store is read.
    placeholder = Path(tempfile.gettempdir()) / "strongroom-help-unconfigured"
    return _load({"STRONGROOM_ALLOWED_HOSTS": "localhost",
                  "STRONGROOM_SECRET_KEY": secrets.token_urlsafe(64),
                  "STRONGROOM_DATA_DIR": str(placeholder),
                  "STRONGROOM_PAYMENT_GATEWAY": "none"}, placeholder / "no.env")


def _load(environ: dict[str, str] | None, dotenv_path: Path | None) -> Config:
    env = _environment(environ, dotenv_path)

    debug = truthy("STRONGROOM_DEBUG", env.get("STRONGROOM_DEBUG", ""))
    data_dir = data_dir_read(env)
    database_url = database_url_read(env, data_dir)
    allowed_hosts = csv(env.get("STRONGROOM_ALLOWED_HOSTS", ""))
    if not allowed_hosts:
        if not debug:
            raise ConfigError(
                "STRONGROOM_ALLOWED_HOSTS is empty: set it to the host names the store "
                "answers to, e.g. STRONGROOM_ALLOWED_HOSTS=shop.example.com"
            )
        allowed_hosts = ["localhost", "127.0.0.1", "[::1]"]
    if "*" in allowed_hosts and not debug:
        raise ConfigError("STRONGROOM_ALLOWED_HOSTS must not contain '*' outside debug mode")
    currency = env.get("STRONGROOM_CURRENCY", "EUR").strip().upper()
    if len(currency) != 3 or not currency.isalpha():
        raise ConfigError(f"STRONGROOM_CURRENCY={currency!r} is not an ISO 4217 code like EUR")
    public_url, public_url_configured = public_url_read(env, allowed_hosts)
    secret_key = secret_key_read(env, data_dir, debug)
    log_level = env.get("STRONGROOM_LOG_LEVEL", "INFO").strip().upper()
    if log_level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise ConfigError("STRONGROOM_LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR")

    return Config(
        debug=debug,
        data_dir=data_dir,
        database_url=database_url,
        allowed_hosts=allowed_hosts,
        secret_key=secret_key,
        secret_key_fallbacks=secret_key_fallbacks(env, secret_key, debug, data_dir),
        secret_key_from_file=(not env.get("STRONGROOM_SECRET_KEY", "").strip()
                              and (data_dir / SECRET_KEY_FILE).is_file()),
        public_url=public_url,
        public_url_configured=public_url_configured,
        redis_url=env.get("STRONGROOM_REDIS_URL", "").strip() or None,
        store_name=env.get("STRONGROOM_STORE_NAME", "Strongroom Demo Store").strip(),
        currency=currency,
        behind_proxy=truthy("STRONGROOM_BEHIND_PROXY", env.get("STRONGROOM_BEHIND_PROXY", "")),
        hsts_seconds=integer(
            "STRONGROOM_HSTS_SECONDS", env.get("STRONGROOM_HSTS_SECONDS", "31536000")
        ),
        email_url=env.get("STRONGROOM_EMAIL_URL", "").strip(),
        default_from_email=env.get("STRONGROOM_FROM_EMAIL", "store@localhost").strip(),
        log_level=log_level,
        proxy_hops=proxy_hops_read(env),
        vault_speedups=truthy(
            "STRONGROOM_VAULT_SPEEDUPS", env.get("STRONGROOM_VAULT_SPEEDUPS", "on")
        ),
        payments=payments_load(env, data_dir),
        accounts=accounts_load(env),
        jobs=jobs_load(env),
        extra={k: v for k, v in env.items() if k.startswith("STRONGROOM_")},
        db_conn_max_age=integer("STRONGROOM_DB_CONN_MAX_AGE",
                                 env.get("STRONGROOM_DB_CONN_MAX_AGE", "60")),
        access_review_months=_review_months(env),
    )


def _review_months(env: dict[str, str]) -> int:
    raw = env.get("STRONGROOM_ACCESS_REVIEW_MONTHS", "").strip() or "6"
    months = integer("STRONGROOM_ACCESS_REVIEW_MONTHS", raw, minimum=1)
    if months > 6:
        raise ConfigError("STRONGROOM_ACCESS_REVIEW_MONTHS must be 1 to 6: PCI DSS 7.2.4 "
                          f"asks for a review at least every six months (got {months})")
    return months


__all__ = [
    "MIN_SECRET_KEY_CHARS",
    "MIN_SECRET_KEY_LENGTH",
    "PAYMENT_GATEWAYS",
    "SANDBOX_CREDENTIALS_FILE",
    "SECRET_KEY_FALLBACKS_FILE",
    "SECRET_KEY_FILE",
    "AccountsConfig",
    "BackupConfig",
    "Config",
    "ConfigError",
    "InitConfig",
    "JobsConfig",
    "PaymentConfig",
    "backups_load",
    "help_only_enable",
    "load",
    "load_for_init",
    "sandbox_credentials_create",
    "sandbox_credentials_read",
    "secret_key_create",
    "secret_key_is_weak",
]

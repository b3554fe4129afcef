"""Strongroom's configuration: every ``STRONGROOM_*`` variable, typed, read here only.

Values come from the process environment, then from an optional ``.env`` file in
the working directory (the environment wins). A bad value raises ``ConfigError``
whose message is one line saying what is wrong and how to fix it; the command
line prints that line and exits non-zero instead of showing a traceback.
"""

from __future__ import annotations

import json
import os
import secrets
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from dotenv import dotenv_values

SECRET_KEY_FILE = "secret_key"  # noqa: S105 - a file name, not a secret
SANDBOX_CREDENTIALS_FILE = "sandbox-credentials.json"
PAYMENT_GATEWAYS = ("none", "sandbox", "stripe")
MIN_SECRET_KEY_LENGTH = 50
MIN_SECRET_KEY_CHARS = 5


class ConfigError(Exception):
    """A configuration value a person must fix; the message is one actionable line."""


def _truthy(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"", "0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name}={raw!r} is not a boolean: use 1/0, true/false, yes/no or on/off")


def _integer(name: str, raw: str, *, minimum: int = 0) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a whole number") from None
    if value < minimum:
        raise ConfigError(f"{name}={value} is too small: it must be at least {minimum}")
    return value


def _csv(raw: str) -> list[str]:
    return [item.strip() for item in raw.split(",") if item.strip()]


def secret_key_is_weak(key: str) -> bool:
    """Django's own deploy-check rule (security.W009): long and varied enough."""
    return (
        len(key) < MIN_SECRET_KEY_LENGTH
        or len(set(key)) < MIN_SECRET_KEY_CHARS
        or key.startswith("django-insecure-")
    )


def secret_key_create(data_dir: Path) -> Path:
    """Write a fresh secret key file (mode 0600) unless one exists; return its path."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / SECRET_KEY_FILE
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(64))
    return path


@dataclass(frozen=True)
class PaymentConfig:
    """Which gateway takes payments and its credentials. ``repr`` never shows a secret."""

    gateway: str
    sandbox_url: str = "https://localhost:8444"
    sandbox_api_key: str = field(default="", repr=False)
    sandbox_webhook_secret: str = field(default="", repr=False)
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


def _payments(env: dict[str, str], data_dir: Path) -> PaymentConfig:
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


@dataclass(frozen=True)
class AccountsConfig:
    """Password, session and sign-in policy (see README, "Accounts")."""

    customer_password_min: int = 10
    breached_password_check: bool = False
    breached_password_api: str = "https://api.pwnedpasswords.com/range/"  # noqa: S105 - a URL
    customer_idle_minutes: int = 60
    customer_session_days: int = 14
    staff_idle_minutes: int = 15  # PCI DSS 8.2.8: not configurable upwards
    staff_session_hours: int = 12
    # Off by default: NIST SP 800-63B (5.1.1.2) advises against periodic password
    # changes, which push people to predictable variations ("Summer2024!" -> "Autumn2024!");
    # change a password when there is evidence of compromise instead. Some auditors still
    # ask for it (PCI DSS 8.3.9 allows it as an alternative to MFA), hence the option.
    staff_password_expiry_days: int = 0


def _accounts(env: dict[str, str]) -> AccountsConfig:
    def number(name: str, default: int, minimum: int) -> int:
        raw = env.get(name, "").strip()
        return _integer(name, raw, minimum=minimum) if raw else default

    api = env.get("STRONGROOM_BREACHED_PASSWORD_API", "").strip()
    if api and not api.startswith(("https://", "http://127.0.0.1", "http://localhost")):
        raise ConfigError("STRONGROOM_BREACHED_PASSWORD_API must be an https:// URL")
    return AccountsConfig(
        customer_password_min=number("STRONGROOM_CUSTOMER_PASSWORD_MIN", 10, 8),
        breached_password_check=_truthy(
            "STRONGROOM_BREACHED_PASSWORD_CHECK", env.get("STRONGROOM_BREACHED_PASSWORD_CHECK", "")
        ),
        breached_password_api=api or AccountsConfig.breached_password_api,
        customer_idle_minutes=number("STRONGROOM_CUSTOMER_IDLE_MINUTES", 60, 1),
        customer_session_days=number("STRONGROOM_CUSTOMER_SESSION_DAYS", 14, 1),
        staff_session_hours=number("STRONGROOM_STAFF_SESSION_HOURS", 12, 1),
        staff_password_expiry_days=number("STRONGROOM_STAFF_PASSWORD_EXPIRY_DAYS", 0, 0),
    )


@dataclass(frozen=True)
class JobsConfig:
    """The task queue (``strongroom.jobs``): schedules the owner overrides and timings.

    ``schedules`` maps a job's setting name (``STRONGROOM_SCHEDULE_AUDIT_CHECKPOINT``) to a
    five-field crontab or ``"off"``; which names exist is known only once the apps' jobs
    are loaded, so ``jobs.E001`` reports an override that names no job."""

    schedules: dict[str, str] = field(default_factory=dict)
    # How long a worker's claim on a running job lives without its heartbeat renewing it:
    # a worker killed mid-job loses its claim after this long and the job runs again.
    lease_seconds: int = 60
    # Run tasks inside the process that queued them, with no worker (tests, one-off
    # scripts). `check --deploy` warns (jobs.W002): a request would then do the work.
    immediate: bool = False


def _jobs(env: dict[str, str]) -> JobsConfig:
    schedules: dict[str, str] = {}
    for name, raw in env.items():
        if not name.startswith("STRONGROOM_SCHEDULE_"):
            continue
        value = " ".join(raw.split()).lower()
        if value != "off" and len(value.split()) != 5:
            raise ConfigError(f"{name}={raw!r} is not a five-field crontab "
                              "(minute hour day month weekday, UTC) or 'off'")
        schedules[name] = value
    raw_lease = env.get("STRONGROOM_JOBS_LEASE_SECONDS", "").strip()
    return JobsConfig(
        schedules=schedules,
        lease_seconds=_integer("STRONGROOM_JOBS_LEASE_SECONDS", raw_lease, minimum=3)
        if raw_lease else 60,
        immediate=_truthy("STRONGROOM_JOBS_IMMEDIATE", env.get("STRONGROOM_JOBS_IMMEDIATE", "")),
    )


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
    # The origin every emailed or externally given link is built from (never the request's
    # Host header); derived from the first allowed host when STRONGROOM_PUBLIC_URL is unset.
    public_url: str = "https://localhost"
    public_url_configured: bool = False
    # Earlier secret keys still accepted for sessions and signed links (rotation).
    secret_key_fallbacks: list[str] = field(default_factory=list, repr=False)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _read_secret_key(env: dict[str, str], data_dir: Path, debug: bool) -> str:
    key = env.get("STRONGROOM_SECRET_KEY", "").strip()
    source = "STRONGROOM_SECRET_KEY"
    if not key:
        path = data_dir / SECRET_KEY_FILE
        if path.exists():
            if path.stat().st_mode & 0o077:
                raise ConfigError(
                    f"{path} is readable by other users: run `chmod 600 {path}`"
                )
            key = path.read_text().strip()
            source = str(path)
    if not key:
        if debug:
            # Development only: a throwaway key, so sessions die with the process.
            return secrets.token_urlsafe(64)
        raise ConfigError(
            "no secret key: set STRONGROOM_SECRET_KEY or run `strongroom init` "
            f"to create {data_dir / SECRET_KEY_FILE}"
        )
    if secret_key_is_weak(key) and not debug:
        raise ConfigError(
            f"the secret key from {source} is weak: use at least {MIN_SECRET_KEY_LENGTH} "
            "random characters (`strongroom init` creates one)"
        )
    return key


def _environment(environ: dict[str, str] | None, dotenv_path: Path | None) -> dict[str, str]:
    env: dict[str, str] = {}
    dotenv_file = dotenv_path if dotenv_path is not None else Path.cwd() / ".env"
    if dotenv_file.is_file():
        env.update({k: v for k, v in dotenv_values(dotenv_file).items() if v is not None})
    env.update(os.environ if environ is None else environ)
    return env


def _data_dir(env: dict[str, str]) -> Path:
    return Path(env.get("STRONGROOM_DATA_DIR", "var")).expanduser().resolve()


def _database_url(env: dict[str, str], data_dir: Path) -> str:
    database_url = env.get("STRONGROOM_DATABASE_URL", "").strip() or (
        f"sqlite:///{data_dir / 'strongroom.sqlite3'}"
    )
    scheme = database_url.split(":", 1)[0]
    if scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
        raise ConfigError(
            f"STRONGROOM_DATABASE_URL must start with sqlite:/// or postgres:// (got {scheme!r})"
        )
    try:
        parsed = dj_database_url.parse(database_url)
    except ValueError:  # dj_database_url.ParseError and friends: all mean "bad URL"
        parsed = {}
    if not parsed.get("NAME"):
        raise ConfigError(
            "STRONGROOM_DATABASE_URL is not a valid database URL: use "
            "postgres://USER:PASSWORD@HOST:PORT/NAME (percent-encode special characters) "
            "or sqlite:////absolute/path.sqlite3"
        )
    return database_url


def _proxy_hops(env: dict[str, str]) -> int:
    raw = env.get("STRONGROOM_PROXY_HOPS", "").strip()
    if not raw:
        return 1
    if not _truthy("STRONGROOM_BEHIND_PROXY", env.get("STRONGROOM_BEHIND_PROXY", "")):
        raise ConfigError("STRONGROOM_PROXY_HOPS is set but STRONGROOM_BEHIND_PROXY is off: "
                          "set STRONGROOM_BEHIND_PROXY=1, or unset STRONGROOM_PROXY_HOPS")
    hops = _integer("STRONGROOM_PROXY_HOPS", raw, minimum=1)
    if hops > 5:
        raise ConfigError(f"STRONGROOM_PROXY_HOPS={hops} is implausible: it is the number of "
                          "reverse proxies in front of the store, usually 1")
    return hops


def _public_url(env: dict[str, str], allowed_hosts: list[str]) -> tuple[str, bool]:
    """(origin, configured). Only ``https://host[:port]``: a path, query or credentials
    in it would end up in every emailed link. The host must be one the store answers to."""
    raw = env.get("STRONGROOM_PUBLIC_URL", "").strip().rstrip("/")
    if not raw:
        first = next((h.lstrip(".") for h in allowed_hosts if h.lstrip(".") not in {"", "*"}),
                     "localhost")
        return f"https://{first}", False
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError:
        parts, port = None, None
    if (parts is None or parts.scheme != "https" or not parts.hostname or parts.path
            or parts.query or parts.fragment or parts.username or parts.password):
        raise ConfigError(f"STRONGROOM_PUBLIC_URL={raw!r} must be an https:// origin "
                          "with no path, e.g. https://shop.example.com")
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    if not any(_host_matches(host, pattern) for pattern in allowed_hosts):
        raise ConfigError(f"STRONGROOM_PUBLIC_URL's host {host} is not in "
                          "STRONGROOM_ALLOWED_HOSTS: add it there")
    return f"https://{host}{'' if port in (None, 443) else f':{port}'}", True


def _host_matches(host: str, pattern: str) -> bool:
    """Django's ALLOWED_HOSTS rule: exact, ``.example.com`` for it and its subdomains, *."""
    host, pattern = host.lower(), pattern.lower()
    if pattern == "*" or host == pattern:
        return True
    return pattern.startswith(".") and (host.endswith(pattern) or host == pattern[1:])


def _secret_key_fallbacks(env: dict[str, str], current: str, debug: bool) -> list[str]:
    """Earlier keys, newest first, kept for a while after a rotation so that signed-in
    people stay signed in and emailed links keep working; remove them when those expire."""
    keys = _csv(env.get("STRONGROOM_SECRET_KEY_FALLBACKS", ""))
    for number, key in enumerate(keys, start=1):
        if key == current:
            raise ConfigError(f"STRONGROOM_SECRET_KEY_FALLBACKS entry {number} is the current "
                              "secret key: list only the earlier ones")
        if secret_key_is_weak(key) and not debug:
            raise ConfigError(f"STRONGROOM_SECRET_KEY_FALLBACKS entry {number} is weak: old "
                              f"keys need {MIN_SECRET_KEY_LENGTH}+ random characters too")
    return keys


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
        data_dir=_data_dir(env),
        allowed_hosts=_csv(env.get("STRONGROOM_ALLOWED_HOSTS", "")),
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

    debug = _truthy("STRONGROOM_DEBUG", env.get("STRONGROOM_DEBUG", ""))
    data_dir = _data_dir(env)
    database_url = _database_url(env, data_dir)
    allowed_hosts = _csv(env.get("STRONGROOM_ALLOWED_HOSTS", ""))
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
    public_url, public_url_configured = _public_url(env, allowed_hosts)
    secret_key = _read_secret_key(env, data_dir, debug)
    log_level = env.get("STRONGROOM_LOG_LEVEL", "INFO").strip().upper()
    if log_level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise ConfigError("STRONGROOM_LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR")

    return Config(
        debug=debug,
        data_dir=data_dir,
        database_url=database_url,
        allowed_hosts=allowed_hosts,
        secret_key=secret_key,
        secret_key_fallbacks=_secret_key_fallbacks(env, secret_key, debug),
        public_url=public_url,
        public_url_configured=public_url_configured,
        redis_url=env.get("STRONGROOM_REDIS_URL", "").strip() or None,
        store_name=env.get("STRONGROOM_STORE_NAME", "Strongroom Demo Store").strip(),
        currency=currency,
        behind_proxy=_truthy("STRONGROOM_BEHIND_PROXY", env.get("STRONGROOM_BEHIND_PROXY", "")),
        hsts_seconds=_integer(
            "STRONGROOM_HSTS_SECONDS", env.get("STRONGROOM_HSTS_SECONDS", "31536000")
        ),
        email_url=env.get("STRONGROOM_EMAIL_URL", "").strip(),
        default_from_email=env.get("STRONGROOM_FROM_EMAIL", "store@localhost").strip(),
        log_level=log_level,
        proxy_hops=_proxy_hops(env),
        vault_speedups=_truthy(
            "STRONGROOM_VAULT_SPEEDUPS", env.get("STRONGROOM_VAULT_SPEEDUPS", "on")
        ),
        payments=_payments(env, data_dir),
        accounts=_accounts(env),
        jobs=_jobs(env),
        extra={k: v for k, v in env.items() if k.startswith("STRONGROOM_")},
        db_conn_max_age=_integer("STRONGROOM_DB_CONN_MAX_AGE",
                                 env.get("STRONGROOM_DB_CONN_MAX_AGE", "60")),
    )


# --- backups (strongroom.protection.backups) ----------------------------------------------


@dataclass(frozen=True)
class BackupConfig:
    """Where backups go (README, "Disaster recovery"). ``repr`` never shows the S3 secret."""

    destinations: tuple[str, ...] = ()
    s3_endpoint: str = ""
    s3_access_key: str = field(default="", repr=False)
    s3_secret_key: str = field(default="", repr=False)
    s3_region: str = "us-east-1"
    # The recovery identity on THIS host, only for scheduled drills (see README): unset,
    # the running store can write backups but never read one.
    drill_identity: str = ""


def backups_load(env: dict[str, str]) -> BackupConfig:
    """``STRONGROOM_BACKUP_*``: comma-separated ``file:///abs/path`` and ``s3://bucket/prefix``."""
    destinations = _csv(env.get("STRONGROOM_BACKUP_DESTINATIONS", ""))
    for url in destinations:
        if url.startswith("file://"):
            if not url.startswith("file:///"):
                raise ConfigError(f"backup destination {url!r}: use file:///absolute/path")
        elif url.startswith("s3://"):
            bucket = url[5:].split("/", 1)[0]
            if len(bucket) < 3:
                raise ConfigError(f"backup destination {url!r}: the S3 bucket name needs 3 "
                                  "or more characters (s3://bucket/prefix)")
            if not (env.get("STRONGROOM_BACKUP_S3_ACCESS_KEY", "").strip()
                    and env.get("STRONGROOM_BACKUP_S3_SECRET_KEY", "").strip()):
                raise ConfigError("an s3:// backup destination needs "
                                  "STRONGROOM_BACKUP_S3_ACCESS_KEY and "
                                  "STRONGROOM_BACKUP_S3_SECRET_KEY")
        else:
            raise ConfigError(f"backup destination {url!r} is neither file:///path nor "
                              "s3://bucket/prefix (STRONGROOM_BACKUP_DESTINATIONS)")
    endpoint = env.get("STRONGROOM_BACKUP_S3_ENDPOINT", "").strip()
    if endpoint and not endpoint.startswith(("https://", "http://127.0.0.1",
                                             "http://localhost", "http://[::1]")):
        raise ConfigError("STRONGROOM_BACKUP_S3_ENDPOINT must be an https:// URL "
                          "(plain http only to this machine)")
    return BackupConfig(
        destinations=tuple(destinations),
        s3_endpoint=endpoint,
        s3_access_key=env.get("STRONGROOM_BACKUP_S3_ACCESS_KEY", "").strip(),
        s3_secret_key=env.get("STRONGROOM_BACKUP_S3_SECRET_KEY", "").strip(),
        s3_region=env.get("STRONGROOM_BACKUP_S3_REGION", "").strip() or "us-east-1",
        drill_identity=env.get("STRONGROOM_BACKUP_DRILL_IDENTITY", "").strip(),
    )

"""Django settings, built from ``strongroom.config`` (the one place the environment is read).

Secure by default: HTTPS-only cookies, HSTS, strict CSP, no debug. Debug mode is
opt-in (``STRONGROOM_DEBUG=1``) and only relaxes what a developer's laptop needs.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

import dj_database_url

from strongroom import config as _config
from strongroom.interfaces.web.requestlog import logging_config as refused_request_loggers

CONFIG = _config.load()

DEBUG = CONFIG.debug
SECRET_KEY = CONFIG.secret_key
# Rotation: sessions, reset links and other signed values made under an earlier key still
# verify (Django checks SECRET_KEY, then each fallback); new ones use SECRET_KEY.
SECRET_KEY_FALLBACKS = CONFIG.secret_key_fallbacks
# The key is the data directory's file: each process reloads it (and the fallbacks file)
# when a rotation replaces them (strongroom.config.secretwatch).
STRONGROOM_SECRET_KEY_FROM_FILE = CONFIG.secret_key_from_file
# Every emailed or externally given link is built from this origin (strongroom.publicurl).
STRONGROOM_PUBLIC_URL = CONFIG.public_url
STRONGROOM_ACCESS_REVIEW_MONTHS = CONFIG.access_review_months
STRONGROOM_PUBLIC_URL_CONFIGURED = CONFIG.public_url_configured
ALLOWED_HOSTS = CONFIG.allowed_hosts
STRONGROOM_DATA_DIR = CONFIG.data_dir
STRONGROOM_STORE_NAME = CONFIG.store_name
STRONGROOM_CURRENCY = CONFIG.currency
STRONGROOM_KEK = CONFIG.extra.get("STRONGROOM_KEK") or None
# Payments: which gateway, its credentials (never logged: PaymentConfig masks its repr),
# and the local CA that the sandbox gateway's certificate chains to.
STRONGROOM_PAYMENTS = CONFIG.payments
STRONGROOM_TLS_CA = CONFIG.data_dir / "tls" / "ca.pem"
# Accounts: password, session and throttling policy (strongroom.protection.accounts).
STRONGROOM_ACCOUNTS = CONFIG.accounts
STRONGROOM_VAULT_SPEEDUPS = CONFIG.vault_speedups
# Staff without current training see customer data masked and cannot reveal (people app).
STRONGROOM_TRAINING_GATE = CONFIG.extra.get("STRONGROOM_TRAINING_GATE", "on").strip().lower() \
    not in {"0", "off", "false", "no"}
STRONGROOM_REDIS_URL = CONFIG.redis_url
# The task queue (strongroom.jobs): SQLite file in the data dir, or Redis when configured.
STRONGROOM_JOBS = CONFIG.jobs
# Backups: destinations and S3 credentials (strongroom.protection.backups).
STRONGROOM_BACKUPS = _config.backups_load(CONFIG.extra)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "strongroom.protection.accounts",
    "strongroom.protection.vault",
    "strongroom.protection.audit",
    "strongroom.protection.access",
    "strongroom.protection.alerts",
    "strongroom.protection.privacy",
    "strongroom.protection.posture",
    "strongroom.protection.people",
    "strongroom.protection.incidents",
    "strongroom.jobs",
    "strongroom.protection.mailer",
    "strongroom.protection.backups",
    "strongroom.commerce.catalog",
    "strongroom.commerce.customers",
    "strongroom.commerce.cart",
    "strongroom.commerce.orders",
    "strongroom.commerce.payments",
    "strongroom.commerce.checkout",
    "strongroom.interfaces.web",
    "strongroom.interfaces.storefront",
    "strongroom.interfaces.console",
    "strongroom.interfaces.api",
    "strongroom.interfaces.cli",
]

MIDDLEWARE = [
    # Behind a proxy: the client's address from X-Forwarded-For, before anything reads it.
    "strongroom.interfaces.web.proxy.ClientAddressMiddleware",
    # Outermost of the rest, so it sees every security header the layers below add.
    "strongroom.commerce.payments.monitor.PaymentPageMonitor",
    "django.middleware.security.SecurityMiddleware",
    "strongroom.interfaces.web.middleware.SecurityHeadersMiddleware",
    "strongroom.protection.audit.context.AuditContextMiddleware",
    # Address ranges an incident blocked: 403 before any work (cached list, expires).
    "strongroom.protection.incidents.middleware.BlockedRangeMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Maintenance mode: shoppers and the API get 503; the console and webhooks go on.
    "strongroom.protection.backups.middleware.MaintenanceMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Idle/absolute timeouts and revoked sessions, then "staff need MFA" for the console.
    "strongroom.protection.accounts.middleware.SessionPolicyMiddleware",
    "strongroom.protection.accounts.middleware.StaffMfaMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "strongroom.urls"
WSGI_APPLICATION = "strongroom.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "storefront:login"
LOGIN_REDIRECT_URL = "storefront:account"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "strongroom.interfaces.web.context_processors.store",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
_db = dj_database_url.parse(CONFIG.database_url)
if CONFIG.is_sqlite:
    _db["OPTIONS"] = {
        # WAL lets readers run beside the single writer; IMMEDIATE takes the write
        # lock at BEGIN so two writers queue instead of failing mid-transaction.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    _db["TEST"] = {"NAME": str(CONFIG.data_dir / "test.sqlite3")}
else:
    # Persistent connections, checked before reuse: a new PostgreSQL connection per
    # request (TLS-less loopback still costs ~1 ms and a backend fork) made list pages
    # 1.5-1.8x slower. (dj_database_url.parse fills CONN_MAX_AGE=0, so setdefault did
    # nothing.) Health checks replace a connection the server dropped, so the store
    # recovers by itself after a database restart. Not psycopg's pool: granian runs a
    # fixed set of threads per worker, each keeps one connection, which is what a pool
    # of that size would do, without another moving part.
    _db["CONN_MAX_AGE"] = CONFIG.db_conn_max_age
    _db["CONN_HEALTH_CHECKS"] = True
    _db.setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (shared between processes when Redis is configured) ----------------------------
if CONFIG.redis_url:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CONFIG.redis_url,
            # A down Redis answers in 2 s at most; strongroom.sharedcache then falls back.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Passwords ----------------------------------------------------------------------------
# The email is encrypted: logins find it through its blind index (see accounts.backends).
AUTHENTICATION_BACKENDS = ["strongroom.protection.accounts.backends.EmailBackend"]
PASSWORD_HASHERS = [
    "strongroom.protection.accounts.hashers.StrongroomArgon2PasswordHasher",
    # Older hashes still verify and are upgraded to argon2id at the next login.
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# NIST SP 800-63B / PCI DSS 4.0: length by role, no composition rules, common and
# personal passwords refused, a zxcvbn strength floor (strongroom.protection.accounts).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "strongroom.protection.accounts.passwords.RoleMinimumLengthValidator"},
    {"NAME": "strongroom.protection.accounts.passwords.MaximumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "strongroom.protection.accounts.passwords.PersonalDetailsValidator"},
    {"NAME": "strongroom.protection.accounts.passwords.StrengthValidator"},
]
PASSWORD_RESET_TIMEOUT = 30 * 60  # reset links are short-lived (and single use)

# --- HTTPS and browser-side defences --------------------------------------------------------
SECURE_SSL_REDIRECT = not DEBUG
SECURE_HSTS_SECONDS = CONFIG.hsts_seconds
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = False  # preload is a one-way door: the operator opts in at their proxy
# ...so its deploy-check reminder (security.W021) is a decision taken, not a finding.
# auth.W004: the login email is encrypted; its unique blind index enforces uniqueness.
SILENCED_SYSTEM_CHECKS = ["security.W021", "auth.W004"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if CONFIG.behind_proxy:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Trusted proxies in front of the store (0: none; X-Forwarded-For is then ignored).
STRONGROOM_PROXY_HOPS = CONFIG.proxy_hops if CONFIG.behind_proxy else 0
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"  # Strict would drop the cart on the return from a payment page
SESSION_COOKIE_NAME = "__Host-sessionid"
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_NAME = "__Host-csrftoken"
CSRF_FAILURE_VIEW = "strongroom.interfaces.web.views.csrf_failure"
X_FRAME_OPTIONS = "DENY"
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- Email ------------------------------------------------------------------------------------
if CONFIG.email_url:
    _mail = urlsplit(CONFIG.email_url)
    # Each message passes the vendor sharing gate, then goes out over SMTP.
    EMAIL_BACKEND = "strongroom.protection.people.vendors.mail.SharingGateEmailBackend"
    STRONGROOM_EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _mail.hostname or "localhost"
    EMAIL_PORT = _mail.port or (465 if _mail.scheme == "smtps" else 587)
    EMAIL_HOST_USER = unquote(_mail.username or "")
    EMAIL_HOST_PASSWORD = unquote(_mail.password or "")
    EMAIL_USE_SSL = _mail.scheme == "smtps"
    EMAIL_USE_TLS = _mail.scheme == "smtp+starttls" or (
        _mail.scheme == "smtp" and EMAIL_PORT == 587
    )
    EMAIL_TIMEOUT = 10
else:
    # Files 0600 in a 0700 folder: they hold single-use sign-in and reset links.
    EMAIL_BACKEND = "strongroom.privatemail.PrivateFileEmailBackend"
    EMAIL_FILE_PATH = str(CONFIG.data_dir / "mail")
DEFAULT_FROM_EMAIL = CONFIG.default_from_email

# --- Static and media ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = CONFIG.data_dir / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = CONFIG.data_dir / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Logging: one line a record, never a request body ----------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"line": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # PAN guard: any Luhn-valid 13-19 digit run is redacted before a record is written.
    "filters": {"pan_guard": {"()": "strongroom.commerce.payments.internal.panguard.PanGuard"},
                # Refused requests (bad Host, huge body...): one WARNING line, rate-limited.
                "refused_requests": {
                    "()": "strongroom.interfaces.web.requestlog.OneLineRateLimited"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "line",
                             "filters": ["pan_guard"]}},
    "root": {"handlers": ["console"], "level": CONFIG.log_level},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "django.security": {"level": "WARNING"},
        **refused_request_loggers(),
    },
}

"""Where the store lives: data directory, database URL, proxies and its public origin."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url

from strongroom.config.parse import ConfigError, integer, truthy


def data_dir_read(env: dict[str, str]) -> Path:
    return Path(env.get("STRONGROOM_DATA_DIR", "var")).expanduser().resolve()


def database_url_read(env: dict[str, str], data_dir: Path) -> str:
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


def proxy_hops_read(env: dict[str, str]) -> int:
    raw = env.get("STRONGROOM_PROXY_HOPS", "").strip()
    if not raw:
        return 1
    if not truthy("STRONGROOM_BEHIND_PROXY", env.get("STRONGROOM_BEHIND_PROXY", "")):
        raise ConfigError("STRONGROOM_PROXY_HOPS is set but STRONGROOM_BEHIND_PROXY is off: "
                          "set STRONGROOM_BEHIND_PROXY=1, or unset STRONGROOM_PROXY_HOPS")
    hops = integer("STRONGROOM_PROXY_HOPS", raw, minimum=1)
    if hops > 5:
        raise ConfigError(f"STRONGROOM_PROXY_HOPS={hops} is implausible: it is the number of "
                          "reverse proxies in front of the store, usually 1")
    return hops


def public_url_read(env: dict[str, str], allowed_hosts: list[str]) -> tuple[str, bool]:
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

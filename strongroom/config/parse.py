"""The parsing helpers every settings group uses, and the one error they raise."""

from __future__ import annotations


class ConfigError(Exception):
    """A configuration value a person must fix; the message is one actionable line."""


def truthy(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"", "0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name}={raw!r} is not a boolean: use 1/0, true/false, yes/no or on/off")


def integer(name: str, raw: str, *, minimum: int = 0) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a whole number") from None
    if value < minimum:
        raise ConfigError(f"{name}={value} is too small: it must be at least {minimum}")
    return value


def csv(raw: str) -> list[str]:
    return [item.strip() for item in raw.split(",") if item.strip()]


"""Accounts settings: password, session and sign-in policy."""

from __future__ import annotations

from dataclasses import dataclass

from strongroom.config.parse import ConfigError, integer, truthy


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


def accounts_load(env: dict[str, str]) -> AccountsConfig:
    def number(name: str, default: int, minimum: int) -> int:
        raw = env.get(name, "").strip()
        return integer(name, raw, minimum=minimum) if raw else default

    api = env.get("STRONGROOM_BREACHED_PASSWORD_API", "").strip()
    if api and not api.startswith(("https://", "http://127.0.0.1", "http://localhost")):
        raise ConfigError("STRONGROOM_BREACHED_PASSWORD_API must be an https:// URL")
    return AccountsConfig(
        customer_password_min=number("STRONGROOM_CUSTOMER_PASSWORD_MIN", 10, 8),
        breached_password_check=truthy(
            "STRONGROOM_BREACHED_PASSWORD_CHECK", env.get("STRONGROOM_BREACHED_PASSWORD_CHECK", "")
        ),
        breached_password_api=api or AccountsConfig.breached_password_api,
        customer_idle_minutes=number("STRONGROOM_CUSTOMER_IDLE_MINUTES", 60, 1),
        customer_session_days=number("STRONGROOM_CUSTOMER_SESSION_DAYS", 14, 1),
        staff_session_hours=number("STRONGROOM_STAFF_SESSION_HOURS", 12, 1),
        staff_password_expiry_days=number("STRONGROOM_STAFF_PASSWORD_EXPIRY_DAYS", 0, 0),
    )


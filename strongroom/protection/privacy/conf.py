"""The privacy settings, read from ``STRONGROOM_*`` variables (README, "Privacy").

Tests override them with ``settings.STRONGROOM_PRIVACY = PrivacySettings(...)``. A bad
value is reported by the system check ``privacy.E002`` (run by ``serve`` and ``migrate``)
with one line naming the variable.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from strongroom.config import ConfigError


@dataclass(frozen=True)
class PrivacySettings:
    contact_email: str = ""  # who answers privacy questions (default: the sender address)
    dpo_contact: str = ""  # data protection officer/contact, if the store has one
    postal_address: str = ""
    country: str = ""
    erasure_grace_days: int = 0
    cart_days: int = 30
    inactive_years: int = 3
    inactive_notice_days: int = 30  # between the notice and the erasure
    order_years: int = 10
    session_days: int = 90
    export_days: int = 7


_NUMBERS = {  # variable: (field, minimum)
    "STRONGROOM_ERASURE_GRACE_DAYS": ("erasure_grace_days", 0),
    "STRONGROOM_RETENTION_CART_DAYS": ("cart_days", 1),
    "STRONGROOM_RETENTION_INACTIVE_YEARS": ("inactive_years", 1),
    "STRONGROOM_RETENTION_NOTICE_DAYS": ("inactive_notice_days", 1),
    "STRONGROOM_RETENTION_ORDER_YEARS": ("order_years", 1),
    "STRONGROOM_RETENTION_SESSION_DAYS": ("session_days", 1),
}
_TEXTS = {
    "STRONGROOM_PRIVACY_CONTACT": "contact_email",
    "STRONGROOM_DPO_CONTACT": "dpo_contact",
    "STRONGROOM_STORE_ADDRESS": "postal_address",
    "STRONGROOM_STORE_COUNTRY": "country",
}


def privacy_settings_parse(env: dict[str, str]) -> PrivacySettings:
    """Raise ConfigError naming the first bad variable."""
    values: dict[str, object] = {}
    for name, (attr, minimum) in _NUMBERS.items():
        raw = env.get(name, "").strip()
        if not raw:
            continue
        if not raw.isdigit() or int(raw) < minimum:
            raise ConfigError(f"{name}={raw!r} must be a whole number >= {minimum}")
        values[attr] = int(raw)
    for name, attr in _TEXTS.items():
        values[attr] = env.get(name, "").strip()[:300]
    return PrivacySettings(**values)


def privacy_settings() -> PrivacySettings:
    override = getattr(settings, "STRONGROOM_PRIVACY", None)
    if isinstance(override, PrivacySettings):
        return override
    config = getattr(settings, "CONFIG", None)
    env = dict(getattr(config, "extra", {}) or {})
    try:
        parsed = privacy_settings_parse(env)
    except ConfigError:
        parsed = PrivacySettings()  # privacy.E002 stops the store; reads never crash
    if not parsed.contact_email:
        parsed = PrivacySettings(**{**parsed.__dict__,
                                    "contact_email": settings.DEFAULT_FROM_EMAIL})
    return parsed

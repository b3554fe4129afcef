"""The self-audit's checks: one registry, each check a small function returning a
status and a reason, declared with the seed practice it serves and the PCI DSS 4.0.1
and OWASP ASVS 5.0 requirements it evidences (the closest one where the standard has
no exact requirement).

A check never says "pass" without evidence. Where the capability it needs is not in
this store yet, it answers ``n/a`` with that reason; where it could not run (an
exception), it answers ``fail`` with the reason: the audit itself never crashes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

PASS, FAIL, WARN, NA = "pass", "fail", "warn", "n/a"
STATUSES = (PASS, WARN, FAIL, NA)

PRACTICES: dict[str, str] = {
    "disaster_recovery": "Disaster recovery",
    "patching": "Patching",
    "https": "HTTPS",
    "payments": "Secure payments",
    "privacy": "Privacy policy",
    "passwords_mfa": "Passwords and MFA",
    "encryption": "Encryption",
    "access": "Secure storage and access",
    "training": "Employee training",
    "audits": "Audits",
    "third_parties": "Third parties",
    "incident_response": "Incident response",
}


@dataclass(frozen=True)
class Outcome:
    status: str
    detail: str


def ok(detail: str) -> Outcome:
    return Outcome(PASS, detail)


def bad(detail: str) -> Outcome:
    return Outcome(FAIL, detail)


def warn(detail: str) -> Outcome:
    return Outcome(WARN, detail)


def na(detail: str) -> Outcome:
    return Outcome(NA, detail)


@dataclass(frozen=True)
class CheckDef:
    id: str
    title: str
    practice: str
    pci: str
    asvs: str
    weight: int
    critical: bool
    func: Callable[[Context], Outcome]


@dataclass
class Context:
    """What checks share: the time, and pages fetched once (see ``pages.py``)."""

    now: dt.datetime
    url: str = ""  # the store's https:// address, when the audit requests it over TLS
    cache: dict[str, Any] = field(default_factory=dict)

    def once(self, key: str, compute: Callable[[], Any]) -> Any:
        if key not in self.cache:
            try:
                self.cache[key] = compute()
            except Exception as exc:  # noqa: BLE001 - reported by each check that needs it
                self.cache[key] = exc
        value = self.cache[key]
        if isinstance(value, Exception):
            raise value
        return value


CHECKS: dict[str, CheckDef] = {}


def check(check_id: str, *, title: str, practice: str, pci: str, asvs: str,
          weight: int = 2, critical: bool = False) -> Callable:
    if practice not in PRACTICES:
        raise ValueError(f"check {check_id}: unknown practice {practice}")

    def register(func: Callable[[Context], Outcome]) -> Callable[[Context], Outcome]:
        if check_id in CHECKS:
            raise ValueError(f"check {check_id} declared twice")
        CHECKS[check_id] = CheckDef(check_id, title, practice, pci, asvs, weight, critical,
                                    func)
        return func

    return register


@dataclass(frozen=True)
class CheckResult:
    id: str
    title: str
    practice: str
    pci: str
    asvs: str
    weight: int
    critical: bool
    status: str
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "practice": self.practice,
                "pci": self.pci, "asvs": self.asvs, "weight": self.weight,
                "critical": self.critical, "status": self.status, "detail": self.detail}


def check_run(definition: CheckDef, ctx: Context) -> CheckResult:
    try:
        outcome = definition.func(ctx)
        if outcome.status not in STATUSES:
            outcome = bad(f"the check answered an unknown status {outcome.status!r}")
    except Exception as exc:  # noqa: BLE001 - one broken check must not stop the audit
        outcome = bad(f"could not run: {type(exc).__name__}: {str(exc)[:200]}")
    return CheckResult(definition.id, definition.title, definition.practice, definition.pci,
                       definition.asvs, definition.weight, definition.critical,
                       outcome.status, outcome.detail)


def checks_load() -> dict[str, CheckDef]:
    """Import every check module (registration happens at import)."""
    # Imported on first use, not at the top: the check modules reach into a dozen other
    # apps, and this registry is imported early (the deploy check, AppConfig.ready).
    from . import data, identity, operations, web  # noqa: F401

    return CHECKS

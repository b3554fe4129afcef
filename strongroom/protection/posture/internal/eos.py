"""End of support of the platform the store runs on. An unsupported Python or Django
gets no security fixes, so no scan can find what will never be published.

Dates: Python's release schedule (PEP 602: five years, end of October) and Django's
roadmap (LTS releases: April three years after; others: the month after the next
release's second patch cycle, taken as the published end date)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

WARN_DAYS = 90

PYTHON_EOS = {
    "3.9": dt.date(2025, 10, 31), "3.10": dt.date(2026, 10, 31),
    "3.11": dt.date(2027, 10, 31), "3.12": dt.date(2028, 10, 31),
    "3.13": dt.date(2029, 10, 31), "3.14": dt.date(2030, 10, 31),
    "3.15": dt.date(2031, 10, 31),
}
DJANGO_EOS = {
    "4.2": dt.date(2026, 4, 30), "5.0": dt.date(2025, 4, 30), "5.1": dt.date(2025, 12, 31),
    "5.2": dt.date(2028, 4, 30), "6.0": dt.date(2027, 4, 30), "6.1": dt.date(2027, 12, 31),
}


@dataclass(frozen=True)
class SupportStatus:
    product: str
    version: str  # the series, e.g. "5.2"
    ends: dt.date | None
    days_left: int | None
    level: str  # "ok" | "warning" (within 90 days) | "ended" | "unknown"

    @property
    def message(self) -> str:
        if self.level == "unknown":
            return (f"{self.product} {self.version}: end of support unknown to this "
                    "Strongroom version: upgrade Strongroom")
        if self.level == "ended":
            return (f"{self.product} {self.version} reached its end of support on "
                    f"{self.ends}: it gets no security fixes; upgrade now")
        if self.level == "warning":
            return (f"{self.product} {self.version} reaches its end of support on "
                    f"{self.ends} ({self.days_left} days): plan the upgrade")
        return f"{self.product} {self.version} supported until {self.ends}"


def _series(version: str) -> str:
    return ".".join(version.split(".")[:2])


def support_status(*, product: str, version: str, today: dt.date) -> SupportStatus:
    table = PYTHON_EOS if product == "Python" else DJANGO_EOS
    series = _series(version)
    ends = table.get(series)
    if ends is None:
        return SupportStatus(product, series, None, None, "unknown")
    days = (ends - today).days
    level = "ended" if days < 0 else "warning" if days <= WARN_DAYS else "ok"
    return SupportStatus(product, series, ends, days, level)


def support_statuses(*, python: str, django: str, today: dt.date) -> list[SupportStatus]:
    return [support_status(product="Python", version=python, today=today),
            support_status(product="Django", version=django, today=today)]

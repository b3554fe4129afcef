"""OSV advisories: parsing one document and deciding whether a package version is
affected, exactly as the OSV schema's "Evaluation" pseudocode says:

    affected  <=>  v in affected.versions  or  some range has v before one of its
                   limits and, walking its events in version order, the last
                   introduced/fixed/last_affected event at or below v is "introduced"

``introduced: "0"`` sorts before every version, ``limit: "*"`` after every version;
a range without a limit has an implicit ``"*"``. Withdrawn advisories never match.
GIT ranges need the repository's commit graph: they are skipped (OSV requires a
``versions`` list beside them, which is used).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from packaging.utils import canonicalize_name

from ..errors import AdvisoryFormatError
from .cvss import severity_of
from .versions import INFINITY, InvalidVersion, version_key

EVENT_KINDS = ("introduced", "fixed", "last_affected", "limit")
RANGE_KINDS = ("ECOSYSTEM", "SEMVER", "GIT")


@dataclass(frozen=True)
class Range:
    kind: str
    events: tuple[tuple[str, str], ...]  # (event kind, version), as written


@dataclass(frozen=True)
class Affected:
    ecosystem: str
    name: str  # canonical (PEP 503) for PyPI
    ranges: tuple[Range, ...]
    versions: frozenset[str]


@dataclass(frozen=True)
class Advisory:
    id: str
    aliases: tuple[str, ...]
    summary: str
    withdrawn: str
    severity: str  # critical | high | medium | low | unknown
    score: float | None
    vector: str
    affected: tuple[Affected, ...]


def package_key(ecosystem: str, name: str) -> tuple[str, str]:
    eco = ecosystem.split(":", 1)[0]
    return (eco, canonicalize_name(name) if eco == "PyPI" else name)


def _fail(source: str, problem: str) -> AdvisoryFormatError:
    return AdvisoryFormatError(f"{source}: not a valid OSV advisory: {problem}")


def _strings(value: Any, what: str, source: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(source, f"{what} must be a list of strings")
    return value


def _range(raw: Any, source: str) -> Range:
    if not isinstance(raw, dict) or raw.get("type") not in RANGE_KINDS:
        raise _fail(source, f"range type must be one of {', '.join(RANGE_KINDS)}")
    events = raw.get("events")
    if not isinstance(events, list) or not events:
        raise _fail(source, "a range needs a non-empty events list")
    parsed = []
    for event in events:
        if not isinstance(event, dict) or len(event) != 1:
            raise _fail(source, f"an event has exactly one of {', '.join(EVENT_KINDS)}")
        (kind, version), = event.items()
        if kind not in EVENT_KINDS or not isinstance(version, str) or not version:
            raise _fail(source, f"bad event {event!r}")
        parsed.append((kind, version))
    if not any(kind == "introduced" for kind, _ in parsed):
        raise _fail(source, "a range needs at least one introduced event")
    return Range(raw["type"], tuple(parsed))


def advisory_parse(data: Any, *, source: str) -> Advisory:
    """One OSV document -> ``Advisory``; ``AdvisoryFormatError`` naming ``source``."""
    if not isinstance(data, dict):
        raise _fail(source, "the document is not a JSON object")
    ident = data.get("id")
    if not isinstance(ident, str) or not ident:
        raise _fail(source, "missing id")
    affected = []
    raw_affected = data.get("affected") or []
    if not isinstance(raw_affected, list):
        raise _fail(source, "affected must be a list")
    for entry in raw_affected:
        package = entry.get("package") if isinstance(entry, dict) else None
        if not isinstance(package, dict) or not package.get("ecosystem") or not package.get(
                "name"):
            raise _fail(source, "each affected entry needs package.ecosystem and package.name")
        ranges = entry.get("ranges") or []
        if not isinstance(ranges, list):
            raise _fail(source, "ranges must be a list")
        eco, name = package_key(str(package["ecosystem"]), str(package["name"]))
        affected.append(Affected(eco, name, tuple(_range(r, source) for r in ranges),
                                 frozenset(_strings(entry.get("versions"), "versions", source))))
    severity, score, vector = severity_of(data)
    withdrawn = data.get("withdrawn") or ""
    return Advisory(
        id=ident, aliases=tuple(_strings(data.get("aliases"), "aliases", source)),
        summary=str(data.get("summary") or "")[:300], withdrawn=str(withdrawn),
        severity=severity, score=score, vector=vector, affected=tuple(affected))


def _key(version: str, kind: str) -> Any:
    return version_key(version, "SEMVER" if kind == "SEMVER" else "ECOSYSTEM")


def range_includes(rng: Range, version: str) -> bool:
    """The schema's ``BeforeLimits`` and event walk for one range. A bound that does not
    parse makes the range match (fail towards a visible false alarm)."""
    if rng.kind == "GIT":
        return False
    try:
        v = _key(version, rng.kind)
        limits = [_key(ver, rng.kind) for kind, ver in rng.events if kind == "limit"]
        if limits and not any(v < limit for limit in limits):
            return False
        events = sorted(((_key(ver, rng.kind), kind) for kind, ver in rng.events
                         if kind != "limit"), key=lambda e: e[0])
    except InvalidVersion:
        return True
    vulnerable = False
    for at, kind in events:
        if kind == "introduced" and v >= at:
            vulnerable = True
        elif kind == "fixed" and v >= at:
            vulnerable = False
        elif kind == "last_affected" and v > at:
            vulnerable = False
    return vulnerable


def affected_includes(affected: Affected, version: str) -> bool:
    if version in affected.versions:
        return True
    return any(range_includes(r, version) for r in affected.ranges)


def is_vulnerable(advisory: Advisory, *, ecosystem: str, name: str, version: str) -> bool:
    if advisory.withdrawn:
        return False
    key = package_key(ecosystem, name)
    return any((a.ecosystem, a.name) == key and affected_includes(a, version)
               for a in advisory.affected)


def fixed_versions(advisory: Advisory, *, ecosystem: str, name: str, version: str) -> list[str]:
    """The ``fixed`` versions above ``version`` (the smallest is the upgrade to make)."""
    key = package_key(ecosystem, name)
    found = []
    for a in advisory.affected:
        if (a.ecosystem, a.name) != key:
            continue
        for r in a.ranges:
            for kind, ver in r.events:
                if kind != "fixed":
                    continue
                try:
                    if _key(ver, r.kind) > _key(version, r.kind):
                        found.append((_key(ver, r.kind), ver))
                except InvalidVersion:
                    continue
    return [ver for _, ver in sorted(found, key=lambda f: f[0])]


__all__ = ["Advisory", "Affected", "Range", "advisory_parse", "is_vulnerable",
           "fixed_versions", "range_includes", "package_key", "INFINITY"]

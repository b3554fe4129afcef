"""Version ordering for OSV ranges: PEP 440 (``packaging``) for the PyPI ecosystem,
SemVer 2.0 precedence for ``SEMVER`` ranges. A version that does not parse is an
``InvalidVersion``: callers decide, and they decide *affected* (a false alarm is
visible; a false "clean" is the bug this module exists to prevent)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from packaging.version import InvalidVersion, Version

__all__ = ["InvalidVersion", "version_key", "ZERO", "INFINITY"]

_SEMVER = re.compile(
    r"^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?(?:\+[0-9A-Za-z.-]+)?$"
)


class _Bound:
    """"0" in ``introduced`` (before everything) and "*" in ``limit`` (after everything)."""

    def __init__(self, sign: int) -> None:
        self.sign = sign

    def __lt__(self, other: Any) -> bool:
        return self.sign < 0 and other is not self

    def __gt__(self, other: Any) -> bool:
        return self.sign > 0 and other is not self

    def __le__(self, other: Any) -> bool:
        return self.sign < 0 or other is self

    def __ge__(self, other: Any) -> bool:
        return self.sign > 0 or other is self

    def __eq__(self, other: Any) -> bool:
        return other is self

    def __hash__(self) -> int:
        return self.sign

    def __repr__(self) -> str:
        return "ZERO" if self.sign < 0 else "INFINITY"


ZERO, INFINITY = _Bound(-1), _Bound(1)


class _SemVer(tuple):
    """SemVer 2.0 section 11: numeric core, then a release sorts after its pre-releases;
    numeric identifiers sort numerically and before alphanumeric ones."""

    def __new__(cls, text: str) -> _SemVer:
        m = _SEMVER.match(text)
        if not m:
            raise InvalidVersion(f"not a semantic version: {text!r}")
        core = (int(m[1]), int(m[2]), int(m[3]))
        if m[4] is None:
            pre: tuple = ((1,),)  # a release sorts after every pre-release
        else:
            pre = tuple((0, (0, int(p), "") if p.isdigit() else (1, 0, p))
                        for p in m[4].split("."))
            pre = (*pre,)
        return super().__new__(cls, (core, pre))


@lru_cache(maxsize=65536)
def version_key(text: str, kind: str = "ECOSYSTEM") -> Any:
    """A comparable key for ``text`` ("0" and "*" are the two bounds)."""
    if text == "0":
        return ZERO
    if text == "*":
        return INFINITY
    if kind == "SEMVER":
        return _SemVer(text)
    return Version(text)

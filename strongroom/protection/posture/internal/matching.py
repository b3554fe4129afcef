"""Inventory x advisories -> matches, with the fixed version and the command to run."""

from __future__ import annotations

from dataclasses import dataclass

from .inventory import Inventory
from .osv import Advisory, fixed_versions, is_vulnerable
from .sources import AdvisorySet, Key


@dataclass(frozen=True)
class Match:
    ecosystem: str
    package: str
    version: str
    advisory: Advisory
    fixed: str

    @property
    def upgrade(self) -> str:
        if self.ecosystem == "PyPI":
            target = f"{self.package}>={self.fixed}" if self.fixed else self.package
            return (f"pip install --upgrade '{target}' (then pin the new version in "
                    "constraints.txt)")
        if not self.fixed:
            return f"no fixed version published: replace or remove the vendored {self.package}"
        return f"vendor {self.package}@{self.fixed} from npm in place of the current file"


def scanned_packages(inventory: Inventory) -> list[tuple[Key, str]]:
    """(ecosystem, name) and version of everything the scan can check."""
    found = [(("PyPI", p.name), p.version) for p in inventory.packages]
    found += [(("npm", s.npm_name), s.npm_version) for s in inventory.scripts if s.npm_name]
    return found


def matches_find(*, inventory: Inventory, advisories: AdvisorySet) -> list[Match]:
    matches = []
    for (ecosystem, name), version in scanned_packages(inventory):
        for advisory in advisories.by_package.get((ecosystem, name), ()):
            if is_vulnerable(advisory, ecosystem=ecosystem, name=name, version=version):
                fixed = fixed_versions(advisory, ecosystem=ecosystem, name=name,
                                       version=version)
                matches.append(Match(ecosystem, name, version, advisory,
                                     fixed[0] if fixed else ""))
    return matches

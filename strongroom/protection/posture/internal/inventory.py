"""What the running store is made of: Python distributions, vendored JavaScript, the
compiled extension and the platform (Python, SQLite, OpenSSL, PostgreSQL server).
The SBOM and the vulnerability scan both read this one inventory, so the scan checks
exactly what the SBOM lists."""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata as md
import importlib.util
import json
import re
import sqlite3
import ssl
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.staticfiles import finders
from django.db import connection
from packaging.markers import UndefinedEnvironmentName
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from ..errors import SbomError

ROOT = "strongroom"
_BANNER = re.compile(rb"^/\*!\s*([A-Za-z0-9@/._-]+)\s+v?(\d[\w.+-]*)")


@dataclass(frozen=True)
class Package:
    name: str
    version: str
    licence: str = ""
    licence_expression: str = ""
    hashes: tuple[tuple[str, str], ...] = ()  # (algorithm, hex)
    direct: bool = False  # required by strongroom itself


@dataclass(frozen=True)
class FileItem:
    path: str  # relative to the static root or the package
    sha256: str
    sri: str = ""  # sha384-... for scripts
    npm_name: str = ""  # a vendored npm package's name and version, from its banner
    npm_version: str = ""


@dataclass
class Inventory:
    strongroom_version: str
    packages: list[Package] = field(default_factory=list)
    scripts: list[FileItem] = field(default_factory=list)
    extensions: list[FileItem] = field(default_factory=list)
    platform: dict[str, str] = field(default_factory=dict)


def _licence(meta: Any) -> tuple[str, str]:
    expression = (meta.get("License-Expression") or "").strip()
    if expression:
        return "", expression
    text = (meta.get("License") or "").strip().splitlines()
    if text and len(text[0]) <= 80 and text[0].upper() != "UNKNOWN":
        return text[0], ""
    for classifier in meta.get_all("Classifier") or []:
        if classifier.startswith("License :: ") and "OSI Approved" != classifier[11:]:
            return classifier.rsplit(" :: ", 1)[-1], ""
    return "", ""


def _hashes(dist: md.Distribution) -> tuple[tuple[str, str], ...]:
    """The archive hashes pip recorded (direct_url.json), when it recorded them."""
    try:
        raw = dist.read_text("direct_url.json")
        info = json.loads(raw or "{}").get("archive_info", {})
    except (ValueError, OSError):
        return ()
    found = dict(info.get("hashes") or {})
    if "hash" in info and "=" in info["hash"]:
        algorithm, value = info["hash"].split("=", 1)
        found.setdefault(algorithm, value)
    return tuple(sorted(found.items()))


def _direct_requirements() -> set[str]:
    """Names strongroom requires (extras excluded); a missing one is a broken install."""
    try:
        requires = md.requires(ROOT) or []
    except md.PackageNotFoundError:
        raise SbomError("the strongroom distribution is not installed: run make install") \
            from None
    names = set()
    for line in requires:
        try:
            req = Requirement(line)
            if req.marker is not None and not req.marker.evaluate({"extra": ""}):
                continue
        except (InvalidRequirement, UndefinedEnvironmentName):
            continue
        names.add(canonicalize_name(req.name))
    return names


def _file(path: Path, rel: str, *, script: bool) -> FileItem:
    data = path.read_bytes()
    sri = ("sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()) if script \
        else ""
    m = _BANNER.match(data[:200])
    return FileItem(rel, hashlib.sha256(data).hexdigest(), sri,
                    m[1].decode() if m else "", m[2].decode() if m else "")


def _scripts() -> list[FileItem]:
    found: dict[str, FileItem] = {}
    for finder in finders.get_finders():
        for rel, storage in finder.list(["*.map"]):
            if rel.endswith(".js") and rel not in found:
                found[rel] = _file(Path(storage.path(rel)), rel, script=True)
    return [found[k] for k in sorted(found)]


def _extensions() -> list[FileItem]:
    spec = importlib.util.find_spec("strongroom.protection.vault.internal._fastread")
    if spec is None or not spec.origin:
        return []
    path = Path(spec.origin)
    return [_file(path, f"strongroom/protection/vault/internal/{path.name}", script=False)]


def _platform() -> dict[str, str]:
    found = {
        "python": ".".join(map(str, sys.version_info[:3])),
        "python-implementation": sys.implementation.name,
        "sqlite": sqlite3.sqlite_version,
        "openssl": ssl.OPENSSL_VERSION.split()[1] if " " in ssl.OPENSSL_VERSION else "",
        "database": connection.vendor,
    }
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            found["postgresql"] = str(cursor.fetchone()[0]).split()[0]
    return found


def inventory_take(*, with_files: bool = True) -> Inventory:
    """Everything installed and running. ``SbomError`` names a required distribution
    that is missing (a broken environment is not described as a healthy one)."""
    direct = _direct_requirements()
    packages: dict[str, Package] = {}
    for dist in md.distributions():
        meta = dist.metadata  # parsed from the METADATA file at each access: once
        name = meta.get("Name")
        if not name:
            continue
        key = canonicalize_name(name)
        if key in packages or key == ROOT:
            continue
        licence, expression = _licence(meta)
        packages[key] = Package(key, meta.get("Version") or dist.version, licence,
                                expression, _hashes(dist), key in direct)
    missing = sorted(direct - set(packages))
    if missing:
        raise SbomError(f"distribution {missing[0]} is required by strongroom but not "
                        f"installed ({len(missing)} missing): run make install")
    inv = Inventory(strongroom_version=md.version(ROOT),
                    packages=[packages[k] for k in sorted(packages)], platform=_platform())
    if with_files:
        inv.scripts = _scripts()
        inv.extensions = _extensions()
    return inv

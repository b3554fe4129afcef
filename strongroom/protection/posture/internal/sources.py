"""Where advisories come from: a local OSV export (a folder of ``*.json`` or a zip, as
the OSV project publishes per ecosystem) or the online OSV API.

Invariant: either at least one advisory document was read, or ``NoAdvisoryData`` is
raised. An unreachable feed, an empty folder or an unreadable zip must never turn
into "0 vulnerabilities". A document that is not valid JSON or not OSV stops the scan
with the file's name: a half-read export is no better than none.
"""

from __future__ import annotations

import io
import json
import os
import re
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from ..errors import AdvisoryFormatError, NoAdvisoryData
from .osv import Advisory, advisory_parse, package_key

Key = tuple[str, str]
_DECODER = json.JSONDecoder()
BOM = b"\xef\xbb\xbf"
BATCH = 1000  # the API's limit of queries per querybatch call
TIMEOUT = 20


@dataclass
class AdvisorySet:
    """Advisories that name an installed package, indexed by (ecosystem, name)."""

    source: str
    documents: int = 0  # advisory documents read (all of them, relevant or not)
    queried: int = 0  # packages the online API answered for (its "none" is data too)
    by_package: dict[Key, list[Advisory]] = field(default_factory=dict)

    def add(self, advisory: Advisory, wanted: set[Key]) -> None:
        for key in {(a.ecosystem, a.name) for a in advisory.affected} & wanted:
            self.by_package.setdefault(key, []).append(advisory)


def _looks_osv(data: Any, name: str) -> list:
    """What every document must have: an object with an id and a list of affected."""
    if not isinstance(data, dict) or not isinstance(data.get("id"), str):
        raise AdvisoryFormatError(f"{name}: not a valid OSV advisory: missing id")
    affected = data.get("affected") or []
    if not isinstance(affected, list):
        raise AdvisoryFormatError(f"{name}: not a valid OSV advisory: affected must be a list")
    return affected


def _relevant(data: Any, wanted: set[Key], name: str) -> bool:
    """Cheap look at a document before parsing it fully (50,000 of them in 5 s)."""
    for entry in _looks_osv(data, name):
        package = entry.get("package") if isinstance(entry, dict) else None
        if isinstance(package, dict) and isinstance(package.get("ecosystem"), str) \
                and isinstance(package.get("name"), str) \
                and package_key(package["ecosystem"], package["name"]) in wanted:
            return True
    return False


def _name_filter(wanted: set[Key]) -> re.Pattern[bytes]:
    """Bytes that any document naming a wanted package must contain: ``"name": "<it>"``
    with PEP 503's equivalent separators, any case. Documents without it cannot concern
    an installed package: they are checked to be OSV-shaped JSON, counted, not read."""
    names = sorted({name for _, name in wanted}, key=len, reverse=True)
    alternatives = [rb"[-_.]+".join(re.escape(part.encode()) for part in re.split(r"[-_.]+", n))
                    for n in names if n]
    return re.compile(rb'"name"\s*:\s*"(?:' + b"|".join(alternatives or [rb"(?!)"]) + rb')"',
                      re.IGNORECASE)


def _documents(path: Path) -> Iterator[tuple[str, bytes]]:
    if path.is_dir():
        for root, _dirs, files in os.walk(path):
            for name in sorted(files):
                if name.endswith(".json"):
                    full = Path(root) / name
                    try:
                        yield str(full), full.read_bytes()
                    except OSError as exc:
                        raise NoAdvisoryData(f"cannot read {full}: {exc.strerror}") from None
        return
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise NoAdvisoryData(f"cannot read the OSV export {path}: {exc}") from None
    members = _central_directory(data)
    if members is None:  # zip64, spanned, prefixed or damaged: zipfile decides
        yield from _zipfile_documents(path, data)
        return
    prefix = f"{path}:"
    for name, flags, method, crc, size, usize, offset in members:
        if name.endswith(b".json"):
            text = name.decode("ascii") if name.isascii() \
                else name.decode("utf-8" if flags & 0x800 else "cp437")
            label = prefix + text
            yield label, _member(data, label, flags, method, crc, size, usize, offset)


_EOCD = struct.Struct("<4s4H2LH")
_CDIR = struct.Struct("<4s6H3L5HLL")
Member = tuple[bytes, int, int, int, int, int, int]


def _central_directory(data: bytes) -> list[Member] | None:
    """The archive's member list read straight from its central directory (zipfile
    builds a ZipInfo per member: a third of the scan at 50,000 members). None for
    anything but a plain archive (one disk, no zip64, nothing before it, members stored
    or deflated, none encrypted): zipfile reads those."""
    at = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if at < 0 or len(data) - at < _EOCD.size:
        return None
    _sig, disk, cd_disk, _here, count, cd_size, cd_offset, _comment = _EOCD.unpack_from(data, at)
    if disk or cd_disk or count == 0xFFFF or cd_offset == 0xFFFFFFFF \
            or cd_offset + cd_size != at:
        return None
    members: list[Member] = []
    pos, unpack, fixed = cd_offset, _CDIR.unpack_from, _CDIR.size
    for _ in range(count):
        if pos + fixed > at:
            return None
        (sig, _made, _need, flags, method, _time, _date, crc, size, usize, name_len,
         extra_len, comment_len, _disk, _attr, _ext_attr, offset) = unpack(data, pos)
        if sig != b"PK\x01\x02" or 0xFFFFFFFF in (size, usize, offset) or flags & 0x1 \
                or method not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            return None
        name = data[pos + fixed:pos + fixed + name_len]
        pos += fixed + name_len + extra_len + comment_len
        if not name.endswith(b"/"):
            members.append((name, flags, method, crc, size, usize, offset))
    return members if pos == at else None


def _zipfile_documents(path: Path, data: bytes) -> Iterator[tuple[str, bytes]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (OSError, zipfile.BadZipFile) as exc:
        raise NoAdvisoryData(f"cannot read the OSV export {path}: {exc}") from None
    with archive:
        for info in archive.infolist():
            if info.filename.endswith(".json") and not info.is_dir():
                label = f"{path}:{info.filename}"
                try:
                    yield label, archive.read(info)
                except (OSError, zipfile.BadZipFile, NotImplementedError, RuntimeError,
                        zlib.error) as exc:
                    raise NoAdvisoryData(f"cannot read {label}: {exc}") from None


def _member(data: bytes, label: str, _flags: int, method: int, crc: int, size: int,
            usize: int, offset: int) -> bytes:
    """One stored or deflated member's bytes, sliced from the archive read once and
    CRC-checked like zipfile does."""
    header = data[offset:offset + 30]
    if len(header) != 30 or header[:4] != b"PK\x03\x04":
        raise NoAdvisoryData(f"cannot read {label}: no local file header (damaged zip)")
    body = offset + 30 + int.from_bytes(header[26:28], "little") \
        + int.from_bytes(header[28:30], "little")
    raw = data[body:body + size]
    try:
        content = raw if method == zipfile.ZIP_STORED else zlib.decompress(raw, -15)
    except zlib.error as exc:
        raise NoAdvisoryData(f"cannot read {label}: {exc}") from None
    if zlib.crc32(content) != crc or len(content) != usize:
        raise NoAdvisoryData(f"cannot read {label}: corrupt (CRC mismatch)")
    return content


def advisories_from_export(*, path: Path, wanted: Iterable[Key]) -> AdvisorySet:
    wanted = set(wanted)
    if not path.exists():
        raise NoAdvisoryData(f"the OSV export {path} does not exist: download one "
                             "(e.g. PyPI/all.zip) or give --osv a folder of OSV JSON files")
    found = AdvisorySet(source=str(path))
    candidate = _name_filter(wanted)
    for name, raw in _documents(path):
        # Every document is parsed, so a malformed one is named whatever package it is
        # about; only those naming an installed package are read in full.
        try:  # OSV documents are UTF-8 JSON (json.loads would sniff each encoding)
            data = _DECODER.decode(raw.decode("utf-8-sig" if raw[:3] == BOM else "utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise AdvisoryFormatError(f"{name}: not valid JSON ({exc})") from None
        found.documents += 1
        if not candidate.search(raw):
            _looks_osv(data, name)
        elif _relevant(data, wanted, name):
            found.add(advisory_parse(data, source=name), wanted)
    if found.documents == 0:
        raise NoAdvisoryData(f"no OSV advisory (*.json) found in {path}: the scan has no "
                             "data, so it cannot say the store is safe")
    return found


def _api(session: requests.Session, method: str, url: str, **kwargs: Any) -> Any:
    try:
        response = session.request(method, url, timeout=TIMEOUT, **kwargs)
    except requests.RequestException as exc:
        raise NoAdvisoryData(f"the OSV API at {url} could not be reached "
                             f"({type(exc).__name__}); for an offline site use "
                             "--osv PATH with a local OSV export") from None
    if response.status_code != 200:
        raise NoAdvisoryData(f"the OSV API at {url} answered HTTP {response.status_code}")
    try:
        return response.json()
    except ValueError:
        raise NoAdvisoryData(f"the OSV API at {url} did not answer JSON") from None


def advisories_from_api(*, base_url: str, packages: list[tuple[Key, str]],
                        session: requests.Session | None = None) -> AdvisorySet:
    """Ask ``/v1/querybatch`` which advisories concern each (package, version), then
    fetch each one (``/v1/vulns/ID``) so the same matcher decides as offline."""
    session = session or requests.Session()
    base = base_url.rstrip("/")
    wanted = {key for key, _ in packages}
    found = AdvisorySet(source=base)
    ids: list[str] = []
    answered = False
    for start in range(0, len(packages), BATCH):
        queries: list[dict[str, Any]] = [
            {"package": {"ecosystem": eco, "name": name}, "version": version}
            for (eco, name), version in packages[start:start + BATCH]]
        for _page in range(20):  # the API pages long answers; bounded
            body = _api(session, "POST", f"{base}/v1/querybatch", json={"queries": queries})
            results = body.get("results") if isinstance(body, dict) else None
            if not isinstance(results, list) or len(results) != len(queries):
                raise NoAdvisoryData(f"the OSV API at {base} gave an answer that is not a "
                                     "querybatch result")
            answered = True
            again = []
            for query, result in zip(queries, results, strict=True):
                for vuln in (result or {}).get("vulns") or []:
                    if isinstance(vuln, dict) and isinstance(vuln.get("id"), str):
                        ids.append(vuln["id"])
                if (result or {}).get("next_page_token"):
                    again.append({**query, "page_token": result["next_page_token"]})
            if not again:
                break
            queries = again
    if not answered and packages:
        raise NoAdvisoryData(f"the OSV API at {base} answered nothing")
    for ident in dict.fromkeys(ids):
        data = _api(session, "GET", f"{base}/v1/vulns/{ident}")
        found.documents += 1
        found.add(advisory_parse(data, source=f"{base}/v1/vulns/{ident}"), wanted)
    found.queried = len(packages)
    return found

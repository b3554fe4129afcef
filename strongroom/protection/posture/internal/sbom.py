"""The inventory as a CycloneDX 1.6 JSON document (cyclonedx-python-lib)."""

from __future__ import annotations

import datetime as dt
import warnings

from cyclonedx.model import HashAlgorithm, HashType, Property
from cyclonedx.model.bom import Bom, BomMetaData
from cyclonedx.model.component import Component, ComponentType
from cyclonedx.model.license import DisjunctiveLicense, LicenseExpression
from cyclonedx.output.json import JsonV1Dot6
from packageurl import PackageURL

from .inventory import FileItem, Inventory, Package

_ALGORITHMS = {"sha256": HashAlgorithm.SHA_256, "sha384": HashAlgorithm.SHA_384,
               "sha512": HashAlgorithm.SHA_512, "sha1": HashAlgorithm.SHA_1,
               "md5": HashAlgorithm.MD5}


def _package(p: Package) -> Component:
    licences: list = []
    if p.licence_expression:
        licences.append(LicenseExpression(p.licence_expression))
    elif p.licence:
        licences.append(DisjunctiveLicense(name=p.licence))
    hashes = [HashType(alg=_ALGORITHMS[a], content=h) for a, h in p.hashes if a in _ALGORITHMS]
    return Component(name=p.name, version=p.version, type=ComponentType.LIBRARY,
                     purl=PackageURL("pypi", name=p.name, version=p.version),
                     bom_ref=f"pypi:{p.name}", licenses=licences, hashes=hashes)


def _file(item: FileItem, *, kind: str) -> Component:
    props = [Property(name="strongroom:kind", value=kind)]
    hashes = [HashType(alg=HashAlgorithm.SHA_256, content=item.sha256)]
    if item.sri:
        props.append(Property(name="strongroom:sri", value=item.sri))
    purl = None
    if item.npm_name:
        purl = PackageURL("npm", name=item.npm_name, version=item.npm_version)
        props.append(Property(name="strongroom:vendored-from", value=purl.to_string()))
    return Component(name=item.path, version=item.npm_version or None, type=ComponentType.FILE,
                     bom_ref=f"file:{item.path}", hashes=hashes, properties=props, purl=purl)


def _platform(name: str, version: str) -> Component:
    return Component(name=name, version=version, type=ComponentType.PLATFORM,
                     bom_ref=f"platform:{name}",
                     purl=PackageURL("generic", name=name, version=version))


def sbom_build(*, inventory: Inventory, now: dt.datetime | None = None) -> Bom:
    root = Component(name="strongroom", version=inventory.strongroom_version,
                     type=ComponentType.APPLICATION, bom_ref="strongroom",
                     purl=PackageURL("pypi", name="strongroom",
                                     version=inventory.strongroom_version))
    bom = Bom(metadata=BomMetaData(component=root,
                                   timestamp=now or dt.datetime.now(tz=dt.UTC)))
    packages = [_package(p) for p in inventory.packages]
    files = ([_file(s, kind="vendored-script") for s in inventory.scripts]
             + [_file(e, kind="compiled-extension") for e in inventory.extensions])
    platform = [_platform(k, v) for k, v in sorted(inventory.platform.items())
                if k in {"python", "sqlite", "openssl", "postgresql"} and v]
    for component in packages + files + platform:
        bom.components.add(component)
    direct = [c for c, p in zip(packages, inventory.packages, strict=True) if p.direct]
    bom.register_dependency(root, direct + files + platform)
    return bom


def sbom_json(*, bom: Bom) -> str:
    with warnings.catch_warnings():
        # The library warns about components without declared dependencies among
        # themselves: we only know the store's own direct requirements.
        warnings.simplefilter("ignore")
        return JsonV1Dot6(bom).output_as_string(indent=2)

"""The SBOM (valid CycloneDX 1.6, everything the store runs) and end-of-support dates."""

from __future__ import annotations

import datetime as dt
import importlib.metadata as md
import json

import django
import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from strongroom.protection.audit.events import AuditEvent
from strongroom.protection.audit.models import AuditEntry
from strongroom.protection.posture import services
from strongroom.protection.posture.errors import SbomError
from strongroom.protection.posture.internal.eos import support_status

pytestmark = pytest.mark.django_db


def test_sbom_is_valid_cyclonedx_16_and_lists_what_runs():
    document = services.sbom_generate()
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(document) is None
    bom = json.loads(document)
    assert bom["specVersion"] == "1.6"
    by_ref = {c["bom-ref"]: c for c in bom["components"]}
    assert by_ref["pypi:django"]["version"] == django.get_version()
    assert by_ref["pypi:django"]["purl"] == f"pkg:pypi/django@{django.get_version()}"
    assert by_ref["pypi:django"]["licenses"]  # BSD-3-Clause
    zxcvbn = by_ref["file:accounts/zxcvbn.js"]
    props = {p["name"]: p["value"] for p in zxcvbn["properties"]}
    assert props["strongroom:sri"].startswith("sha384-")
    assert zxcvbn["purl"] == "pkg:npm/zxcvbn@4.4.2"
    assert "file:payments/checkout.js" in by_ref
    platform = {c["name"]: c["version"] for c in bom["components"] if c["type"] == "platform"}
    assert {"python", "sqlite", "openssl"} <= set(platform)
    if connection.vendor == "postgresql":
        assert platform["postgresql"][0].isdigit()
    if any(r.startswith("file:strongroom/protection/vault/internal/_fastread") for r in by_ref):
        ext = next(c for r, c in by_ref.items() if "_fastread" in r)
        assert ext["hashes"][0]["alg"] == "SHA-256"
    assert bom["metadata"]["component"]["name"] == "strongroom"
    assert AuditEntry.objects.get().event == AuditEvent.SBOM_GENERATED


def test_sbom_of_a_broken_environment_names_the_missing_distribution(monkeypatch):
    real = md.requires
    monkeypatch.setattr(md, "requires", lambda name: [*real(name), "vanished-dist>=1"])
    with pytest.raises(SbomError, match="vanished-dist is required by strongroom"):
        services.sbom_generate()
    with pytest.raises(CommandError, match="vanished-dist") as caught:
        call_command("security", "sbom")
    assert caught.value.returncode == 2


def test_sbom_command_writes_the_file(tmp_path):
    out = tmp_path / "sbom.json"
    call_command("security", "sbom", "--out", str(out))
    assert json.loads(out.read_text())["bomFormat"] == "CycloneDX"
    with pytest.raises(CommandError) as caught:
        call_command("security", "sbom", "--out", str(tmp_path / "no" / "such" / "x.json"))
    assert caught.value.returncode == 2


@pytest.mark.parametrize(("product", "version", "today", "level"), [
    ("Python", "3.11.7", dt.date(2026, 12, 7), "ok"),
    ("Python", "3.11.7", dt.date(2027, 8, 2), "warning"),
    ("Python", "3.11.7", dt.date(2027, 11, 1), "ended"),
    ("Django", "5.2.19", dt.date(2028, 2, 1), "warning"),
    ("Django", "5.2.19", dt.date(2027, 12, 31), "ok"),
    ("Django", "4.2.1", dt.date(2026, 12, 7), "ended"),
    ("Django", "9.9", dt.date(2026, 12, 7), "unknown"),
])
def test_end_of_support_warns_ninety_days_ahead(product, version, today, level):
    status = support_status(product=product, version=version, today=today)
    assert status.level == level
    assert product in status.message

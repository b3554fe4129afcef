"""The offline scan end to end: fixture export -> findings, alerts, audit events,
posture.W001; and the loud failure when there is no data."""

from __future__ import annotations

import datetime as dt
import json
import zipfile

import django
import pytest
from django.core import checks
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from strongroom.protection.alerts.models import Alert
from strongroom.protection.audit.events import AuditEvent
from strongroom.protection.audit.models import AuditEntry
from strongroom.protection.posture import services
from strongroom.protection.posture.errors import AdvisoryFormatError, NoAdvisoryData
from strongroom.protection.posture.internal import sources
from strongroom.protection.posture.models import Finding, ScanRun

from .conftest import write_advisory

pytestmark = pytest.mark.django_db


def events() -> list[int]:
    return list(AuditEntry.objects.order_by("id").values_list("event", flat=True))


def test_offline_scan_flags_the_installed_django_and_nothing_else(osv_export):
    report = services.vulnerability_scan_run(source=str(osv_export))
    assert [(m.package, m.advisory.id) for m in report.matches] == [
        ("django", "PYSEC-TEST-0001")]
    match = report.matches[0]
    assert match.version == django.get_version()
    assert match.advisory.severity == "critical" and match.advisory.score == 9.8
    assert match.fixed == "99.0" and "pip install --upgrade 'django>=99.0'" in match.upgrade
    assert report.run.ok and report.run.advisories == 4
    finding = Finding.objects.get()
    assert finding.aliases == ["CVE-2099-0001", "GHSA-test-0001-abcd"]
    assert finding.resolved_at is None
    assert events() == [AuditEvent.VULNERABILITY_SCAN_RUN]
    alert = Alert.objects.get(kind="posture.vulnerability")
    assert alert.severity == "critical" and "CVE-2099-0001" in alert.summary
    assert alert.detail["fixed"] == "99.0"


def test_a_zip_export_reads_the_same(osv_export, tmp_path):
    archive = tmp_path / "all.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for path in osv_export.glob("*.json"):
            z.write(path, path.name)
    report = services.vulnerability_scan_run(source=str(archive))
    assert [m.advisory.id for m in report.matches] == ["PYSEC-TEST-0001"]


def test_rescans_keep_one_finding_and_one_alert_then_resolve_it(osv_export, clean_export):
    services.vulnerability_scan_run(source=str(osv_export))
    services.vulnerability_scan_run(source=str(osv_export))
    assert Finding.objects.count() == 1
    assert Alert.objects.get(kind="posture.vulnerability").count == 2  # deduplicated
    services.vulnerability_scan_run(source=str(clean_export))
    assert Finding.objects.get().resolved_at is not None


def test_deploy_check_warns_on_open_critical_findings(osv_export, clean_export):
    def ids():
        return [m.id for m in checks.run_checks(include_deployment_checks=True)]

    assert "posture.W001" not in ids()
    services.vulnerability_scan_run(source=str(osv_export))
    assert "posture.W001" in ids()
    services.vulnerability_scan_run(source=str(clean_export))
    assert "posture.W001" not in ids()


@pytest.mark.parametrize("how", ["empty folder", "missing path", "not a zip", "no json"])
def test_no_advisory_data_fails_loudly_and_is_recorded(tmp_path, how):
    source = tmp_path / "osv"
    if how == "empty folder":
        source.mkdir()
    elif how == "not a zip":
        source.write_bytes(b"this is not a zip file")
    elif how == "no json":
        source.mkdir()
        (source / "README.txt").write_text("no advisories here")
    with pytest.raises(NoAdvisoryData):
        services.vulnerability_scan_run(source=str(source))
    run = ScanRun.objects.get()
    assert not run.ok and run.error and run.findings == 0
    assert events() == [AuditEvent.VULNERABILITY_SCAN_FAILED]
    assert Alert.objects.filter(kind="posture.scan_failed").exists()
    assert not Finding.objects.exists()


def test_a_malformed_file_names_the_file_and_stops_the_scan(osv_export):
    (osv_export / "BROKEN-1.json").write_text("{not json")
    with pytest.raises(AdvisoryFormatError) as caught:
        services.vulnerability_scan_run(source=str(osv_export))
    assert "BROKEN-1.json" in caught.value.message
    assert not Finding.objects.exists()  # nothing half-read is recorded as findings


@pytest.mark.parametrize(("text", "problem"), [
    ('{"id": "ODD-1", "affected": [}', "not valid JSON"),
    ('{"summary": "no id", "affected": []}', "missing id"),
    ('{"id": "ODD-3", "affected": {"package": "x"}}', "affected must be a list"),
])
def test_a_malformed_file_about_a_package_not_installed_is_named_too(osv_export, text,
                                                                     problem):
    (osv_export / "ODD.json").write_text(text)
    with pytest.raises(AdvisoryFormatError) as caught:
        services.vulnerability_scan_run(source=str(osv_export))
    assert "ODD.json" in caught.value.message and problem in caught.value.message


def test_a_malformed_advisory_for_an_installed_package_names_it(osv_export):
    write_advisory(osv_export, {"id": "BAD-2", "affected": [
        {"package": {"ecosystem": "PyPI", "name": "django"},
         "ranges": [{"type": "ECOSYSTEM", "events": [{"fixed": "1.0"}]}]}]})
    with pytest.raises(AdvisoryFormatError, match=r"BAD-2\.json.*introduced"):
        services.vulnerability_scan_run(source=str(osv_export))


def test_command_exit_status_follows_fail_on(osv_export, tmp_path, capsys):
    with pytest.raises(CommandError) as caught:
        call_command("security", "scan", "--osv", str(osv_export))
    assert caught.value.returncode == 1
    out = capsys.readouterr().out
    assert "CRITICAL django" in out and "PYSEC-TEST-0001 (CVE-2099-0001" in out
    assert "fixed in 99.0" in out
    write_advisory(osv_export, {"id": "LOW-1", "affected": [
        {"package": {"ecosystem": "PyPI", "name": "sqlparse"},
         "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}]}]}],
        "database_specific": {"severity": "LOW"}})
    (osv_export / "PYSEC-TEST-0001.json").unlink()
    call_command("security", "scan", "--osv", str(osv_export))  # low < high: exit 0
    with pytest.raises(CommandError) as caught:
        call_command("security", "scan", "--osv", str(osv_export), "--fail-on", "low")
    assert caught.value.returncode == 1
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(CommandError, match="no advisory data") as caught:
        call_command("security", "scan", "--osv", str(empty))
    assert caught.value.returncode == 2


def test_json_output_lists_each_finding(osv_export, capsys):
    with pytest.raises(CommandError):
        call_command("security", "scan", "--osv", str(osv_export), "--format", "json")
    data = json.loads(capsys.readouterr().out)
    assert data["advisories"] == 4
    [finding] = data["findings"]
    assert finding["package"] == "django" and finding["cvss"] == 9.8
    assert finding["aliases"][0] == "CVE-2099-0001" and finding["fixed"] == "99.0"


def test_a_corrupt_zip_member_is_no_data_not_a_partial_scan(osv_export, tmp_path):
    archive = tmp_path / "all.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as z:
        for path in sorted(osv_export.glob("*.json")):
            z.write(path, path.name)
    data = bytearray(archive.read_bytes())
    at = data.index(b'"Test advisory')
    data[at + 2] ^= 0x20  # one flipped bit inside a stored member
    archive.write_bytes(bytes(data))
    with pytest.raises(NoAdvisoryData, match="CRC"):
        services.vulnerability_scan_run(source=str(archive))
    assert not Finding.objects.exists()


@pytest.mark.parametrize("layout", ["deflated", "bzip2", "lzma", "prefixed", "folders"])
def test_every_zip_layout_reads_like_the_folder(osv_export, tmp_path, layout):
    """Plain archives are read from their central directory directly; anything else
    (other compression, data before the archive) goes through zipfile: same result."""
    method = {"bzip2": zipfile.ZIP_BZIP2, "lzma": zipfile.ZIP_LZMA}.get(layout,
                                                                      zipfile.ZIP_DEFLATED)
    archive = tmp_path / "all.zip"
    with zipfile.ZipFile(archive, "w", method) as z:
        if layout == "folders":
            z.writestr("osv/", b"")
            z.comment = b"an OSV export"
        for path in sorted(osv_export.glob("*.json")):
            z.write(path, f"osv/{path.name}" if layout == "folders" else path.name)
    if layout == "prefixed":
        archive.write_bytes(b"#!/bin/sh\nexit 0\n" + archive.read_bytes())
    direct = sources._central_directory(archive.read_bytes()) is not None
    assert direct == (layout in ("deflated", "folders"))  # the fast path, where it applies
    report = services.vulnerability_scan_run(source=str(archive))
    assert [m.advisory.id for m in report.matches] == ["PYSEC-TEST-0001"]
    assert report.run.advisories == 4


def test_a_truncated_zip_is_no_data(osv_export, tmp_path):
    archive = tmp_path / "all.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        for path in sorted(osv_export.glob("*.json")):
            z.write(path, path.name)
    archive.write_bytes(archive.read_bytes()[:-40])
    with pytest.raises(NoAdvisoryData, match="all.zip"):
        services.vulnerability_scan_run(source=str(archive))


def test_a_finding_keeps_its_age_and_reopens_when_it_comes_back(osv_export, clean_export):
    first = timezone.now() - dt.timedelta(days=10)
    services.vulnerability_scan_run(source=str(osv_export), now=first)
    finding = Finding.objects.get()
    services.vulnerability_scan_run(source=str(clean_export), now=first + dt.timedelta(days=1))
    assert Finding.objects.get().resolved_at == first + dt.timedelta(days=1)
    later = first + dt.timedelta(days=2)
    services.vulnerability_scan_run(source=str(osv_export), now=later)
    again = Finding.objects.get()
    assert again.pk == finding.pk and again.resolved_at is None
    assert again.first_seen == first and again.last_seen == later


def test_findings_are_written_in_one_statement_whatever_their_number(osv_export):
    for n in range(3):  # three more critical findings for installed packages
        write_advisory(osv_export, {"id": f"MANY-{n}", "affected": [
            {"package": {"ecosystem": "PyPI", "name": name},
             "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}]}]}
            for name in ("django", "sqlparse", "asgiref")]})
    with CaptureQueriesContext(connection) as queries:
        report = services.vulnerability_scan_run(source=str(osv_export))
    assert len(report.matches) == 10 and Finding.objects.count() == 10
    writes = [q["sql"] for q in queries.captured_queries
              if q["sql"].startswith(("INSERT", "UPDATE")) and "posture_finding" in q["sql"]]
    assert len(writes) == 2  # one upsert of all ten, one update resolving the others

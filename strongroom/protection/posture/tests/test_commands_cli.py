"""The real ``strongroom`` program in a fresh data directory (SQLite): exit statuses and
one-line errors, and the README's upgrade path, command by command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import FIXTURE_EXPORT

pytestmark = pytest.mark.xdist_group("posture-cli")


def strongroom(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "strongroom", *args], env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> dict[str, str]:
    work = tmp_path_factory.mktemp("posture-cli")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("STRONGROOM_") or k == "STRONGROOM_LOG_LEVEL"}
    env.update(STRONGROOM_DATA_DIR=str(work / "var"), STRONGROOM_ALLOWED_HOSTS="localhost")
    assert strongroom(env, "init").returncode == 0
    return env


def test_documented_upgrade_path(fresh, tmp_path):
    # 1. backup: until `strongroom backup` lands, the README says to copy the data
    #    directory (and pg_dump on PostgreSQL); the copy must hold the keys.
    # 2. after upgrading the pins: the installed set is consistent
    check = subprocess.run([sys.executable, "-m", "pip", "check"], capture_output=True,
                           text=True, timeout=120)
    assert check.returncode == 0, check.stdout
    # 3. `migrate --check` says there is work to do, then nothing after migrating
    assert strongroom(fresh, "migrate", "--check").returncode == 1
    assert strongroom(fresh, "migrate", "--noinput", "-v0").returncode == 0
    assert strongroom(fresh, "migrate", "--check").returncode == 0
    # 4. the SBOM, the scan and the self-audit
    sbom = tmp_path / "sbom.json"
    assert strongroom(fresh, "security", "sbom", "--out", str(sbom)).returncode == 0
    assert json.loads(sbom.read_text())["specVersion"] == "1.6"
    scan = strongroom(fresh, "security", "scan", "--osv", str(FIXTURE_EXPORT))
    assert scan.returncode == 1 and "PYSEC-TEST-0001" in scan.stdout
    report = tmp_path / "audit.json"
    audit = strongroom(fresh, "security", "audit", "--format", "json", "--out", str(report))
    data = json.loads(report.read_text())
    assert len(data["checks"]) >= 40
    # A fresh store has no owner and the critical finding just found: exit 1, named.
    assert audit.returncode == 1 and "patch.open_findings" in audit.stderr
    risks = strongroom(fresh, "risks", "list")
    assert risks.returncode == 0 and "T11" in risks.stdout


@pytest.mark.parametrize("args", [
    ("security", "scan", "--osv", "/nonexistent/osv-export"),
    ("security", "scan", "--format", "yaml"),
    ("security", "audit", "--url", "http://plain.example"),
    ("security", "frobnicate"),
])
def test_usage_errors_and_missing_data_exit_2_with_one_line(fresh, args):
    assert strongroom(fresh, "migrate", "--noinput", "-v0").returncode == 0
    result = strongroom(fresh, *args)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines and len(lines[-1]) < 400


def test_readme_documents_the_offline_scan_and_the_upgrade_path():
    readme = (Path(__file__).parents[4] / "README.md").read_text()
    for text in ("strongroom security scan --osv", "strongroom migrate --check",
                 "strongroom security audit", "constraints.txt"):
        assert text in readme, text

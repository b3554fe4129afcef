"""`strongroom security ... --help` and `strongroom risks ... --help` before the store is
configured: no secret key, no data directory, no allowed hosts, an empty working
directory and home. Help prints the documented interface and writes nothing; a command
that runs still refuses the missing configuration in one line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.xdist_group("posture-cli")

HELP = [
    (("security", "--help"), ["sbom", "scan", "audit"]),
    (("security", "sbom", "--help"), ["--out"]),
    (("security", "scan", "--help"), ["--osv", "--format", "--fail-on"]),
    (("security", "audit", "--help"), ["--format", "--out", "--url", "html"]),
    (("help", "security"), ["sbom", "scan", "audit"]),
    (("risks", "--help"), ["list", "seed"]),
    (("risks", "list", "-h"), ["usage: strongroom risks list"]),
]


def _bare_env(tmp_path: Path) -> dict[str, str]:
    """Only what a shell gives: no STRONGROOM_*/DJANGO_* variable, a home of its own."""
    keep = ("PATH", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")
    env = {k: os.environ[k] for k in keep if k in os.environ}
    env["HOME"] = str(tmp_path / "home")
    (tmp_path / "home").mkdir()
    return env


def _run(tmp_path: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    return subprocess.run([sys.executable, "-m", "strongroom", *args], env=env, cwd=work,
                          capture_output=True, text=True, timeout=180, check=False)


def test_posture_commands_have_help_before_anything_is_configured(tmp_path):
    env = _bare_env(tmp_path)
    for args, needles in HELP:
        result = _run(tmp_path, env, *args)
        assert result.returncode == 0, (args, result.stderr)
        assert "Traceback" not in result.stdout + result.stderr, args
        assert result.stderr.strip() == "", (args, result.stderr)
        for needle in needles:
            assert needle in result.stdout, (args, needle)
    # Help created no data directory, database or key anywhere.
    assert [p.name for p in (tmp_path / "work").iterdir()] == []
    assert [p.name for p in (tmp_path / "home").iterdir()] == []


def test_running_them_unconfigured_is_one_clear_line(tmp_path):
    env = _bare_env(tmp_path)
    for args in (("security", "audit"), ("risks", "list")):
        result = _run(tmp_path, env, *args)
        lines = result.stderr.strip().splitlines()
        assert result.returncode == 2, (args, result.stderr)
        assert "Traceback" not in result.stdout + result.stderr
        assert len(lines) == 1 and lines[0].startswith("strongroom: error: "), lines

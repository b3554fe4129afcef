from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

FIXTURE_EXPORT = Path(__file__).parent / "fixtures" / "osv-export"


@pytest.fixture
def osv_export(tmp_path) -> Path:
    """A copy of the fixture export (tests may add or break files in it)."""
    target = tmp_path / "osv"
    shutil.copytree(FIXTURE_EXPORT, target)
    return target


@pytest.fixture
def clean_export(tmp_path) -> Path:
    """Advisories, none of which affects what is installed."""
    target = tmp_path / "clean"
    target.mkdir()
    for name in ("GHSA-test-0002.json", "GHSA-test-0003.json", "PYSEC-TEST-0004.json"):
        shutil.copy(FIXTURE_EXPORT / name, target / name)
    return target


def write_advisory(folder: Path, doc: dict) -> Path:
    path = folder / f"{doc['id']}.json"
    path.write_text(json.dumps(doc))
    return path

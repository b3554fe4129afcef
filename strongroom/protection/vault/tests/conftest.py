from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from strongroom.protection.vault import services
from strongroom.protection.vault.internal import runtime


@pytest.fixture
def vault_dir(settings, tmp_path: Path) -> Iterator[Path]:
    """A fresh data dir with its own KEK, and an empty key cache."""
    settings.STRONGROOM_DATA_DIR = tmp_path
    settings.STRONGROOM_KEK = None
    runtime.reset()
    yield tmp_path
    runtime.reset()


@pytest.fixture
def vault(vault_dir: Path, db) -> Path:
    services.vault_init()
    return vault_dir


@pytest.fixture
def subject(vault):
    return services.subject_create()

"""Loaded with ``-p`` before Django's settings are imported: gives every test run its own
data directory and the configuration a production start would need (debug stays off, so
tests see the real security settings). ``STRONGROOM_DATABASE_URL`` passes through, which
is how CI runs the same suite on PostgreSQL."""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

_worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
_base = Path(tempfile.mkdtemp(prefix=f"strongroom-test-{_worker}-"))
os.environ["STRONGROOM_DATA_DIR"] = str(_base / "var")
os.environ["STRONGROOM_SECRET_KEY"] = secrets.token_urlsafe(64)
os.environ.setdefault("STRONGROOM_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.pop("STRONGROOM_DEBUG", None)
os.environ.setdefault("STRONGROOM_LOG_LEVEL", "WARNING")
os.environ.pop("STRONGROOM_KEK", None)


def _vault_kek() -> None:
    # The vault's key-encryption key, made the way `strongroom init` makes it (a 0600
    # file under the data dir), so every test can save personal data with no set-up.
    from strongroom.protection.vault.internal.kms import kek_ensure

    data_dir = _base / "var"
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    kek_ensure(data_dir=data_dir, env_value=None)
    from strongroom.protection.vault.signing import signing_key_ensure

    signing_key_ensure(data_dir=data_dir)  # the audit checkpoint key, as `init` makes it


_vault_kek()


@pytest.fixture(autouse=True)
def _vault_key_cache_fresh() -> Iterator[None]:
    """Each test starts with an empty vault key cache: a test that rolls back can leave
    cached keys whose ids the database reuses (and a fresh cache is a cold page)."""
    yield
    from strongroom.protection.audit.internal.pending import pending_clear
    from strongroom.protection.vault.internal import runtime

    runtime.reset()
    # Decryption failures a test left pending (its transaction rolled back) must not be
    # written into a later test's audit log.
    pending_clear()

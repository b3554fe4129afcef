"""Loaded with ``-p`` before Django's settings are imported: gives every test run its own
data directory and the configuration a production start would need (debug stays off, so
tests see the real security settings). ``STRONGROOM_DATABASE_URL`` passes through, which
is how CI runs the same suite on PostgreSQL."""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

_worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
_base = Path(tempfile.mkdtemp(prefix=f"strongroom-test-{_worker}-"))
os.environ["STRONGROOM_DATA_DIR"] = str(_base / "var")
os.environ["STRONGROOM_SECRET_KEY"] = secrets.token_urlsafe(64)
_hosts = os.environ.setdefault("STRONGROOM_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
if "testserver" not in _hosts.split(","):  # `make run`'s hosts, exported by the Makefile
    os.environ["STRONGROOM_ALLOWED_HOSTS"] = f"testserver,{_hosts}"
# Emailed links point at Django's test client host, whatever the caller's environment says.
os.environ["STRONGROOM_PUBLIC_URL"] = "https://testserver"
os.environ.pop("STRONGROOM_DEBUG", None)
os.environ.setdefault("STRONGROOM_LOG_LEVEL", "WARNING")
# Tasks run in the process that queued them (no worker); the worker tests start real
# `strongroom worker` processes with this turned off.
os.environ.setdefault("STRONGROOM_JOBS_IMMEDIATE", "1")
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
    # Short-lived caches of rows a rolled-back test wrote (the owner's time zone, the
    # canaries): the next test reads the database again.
    from strongroom.protection.incidents import canaries, owner_time

    owner_time._cache = None
    canaries.canaries_cache_clear()


@pytest.fixture(autouse=True)
def _shared_cache_break_closed() -> Iterator[None]:
    """A test that found Redis down must not leave the next one falling back, and a test
    starts with the break closed whatever ran between tests (a break opened by a module or
    session fixture would expire in the middle of the next test, and a counter would then
    be split between the database and Redis)."""
    from strongroom.sharedcache import shared_cache_reset

    shared_cache_reset()
    yield
    shared_cache_reset()


@pytest.fixture(autouse=True)
def _mirror_files_fresh() -> None:
    """Files in the data directory that mirror a table (the erasure ledger's file, the
    audit checkpoints' file) go with the rows every test starts without (rolled back or
    flushed): a previous test's lines would otherwise stand for this test's entries (seq
    1 never appended) or accuse its database of deleting them (checkpoint 1 "deleted")."""
    from django.conf import settings

    from strongroom.protection.audit.internal.checkpoints import file_path
    from strongroom.protection.privacy.internal.ledger import ledger_path

    ledger_path().unlink(missing_ok=True)
    file_path(settings.STRONGROOM_DATA_DIR).unlink(missing_ok=True)


@pytest.fixture
def redis_down(settings) -> Iterator[str]:
    """Redis configured (cache and throttling) at an address where nothing listens: the
    outage as the store sees it, connection refused at the network edge."""
    import socket

    from strongroom.sharedcache import shared_cache_reset

    with socket.socket() as probe:  # a port that was free a moment ago, left closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"redis://127.0.0.1:{port}/0"
    settings.CACHES = {"default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url,
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}}
    settings.STRONGROOM_REDIS_URL = url
    settings.STRONGROOM_REVEAL_COUNTER = "auto"
    shared_cache_reset()
    yield url
    shared_cache_reset()


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory) -> Iterator[str]:
    """A Redis server of this test process's own (``redis-server`` on a free loopback port,
    nothing written to disk), as ``redis://127.0.0.1:PORT`` (add ``/DB``). Tests flush its
    databases freely: another test run on the machine (a second checkout, CI beside a
    developer) never sees or flushes them, as it would on the shared server at 6379."""
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is not installed (apt-get install redis-server)")
        pytest.skip("redis-server is not installed")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    folder = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
         "no", "--dir", str(folder), "--protected-mode", "yes"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}"
    deadline = time.monotonic() + 15
    while True:
        try:
            redis.Redis.from_url(url, socket_connect_timeout=1).ping()
            break
        except redis.RedisError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"redis-server did not start on port {port}")
            time.sleep(0.05)
    yield url
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()

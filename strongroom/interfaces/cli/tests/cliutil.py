"""Helpers for tests that run the real `strongroom` command in a subprocess."""

from __future__ import annotations

import base64
import os
import secrets
import socket
import subprocess
import sys
from pathlib import Path

GOOD_KEY = secrets.token_urlsafe(64)


def cli_env(tmp_path: Path, **overrides: str | None) -> dict[str, str]:
    """A clean environment for a `strongroom` subprocess (no test-run settings leak in).

    Always SQLite in ``tmp_path``, whichever database the test run itself uses. A value of
    None removes the variable.
    """
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("STRONGROOM_", "DJANGO_", "PYTEST_"))}
    env.update({
        "STRONGROOM_DATA_DIR": str(tmp_path / "var"),
        "STRONGROOM_SECRET_KEY": GOOD_KEY,
        "STRONGROOM_ALLOWED_HOSTS": "localhost,127.0.0.1",
        "STRONGROOM_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        # A key-encryption key, so the vault's "no key yet" warning stays out of stderr.
        "STRONGROOM_KEK": base64.b64encode(secrets.token_bytes(32)).decode(),
        "STRONGROOM_LOG_LEVEL": "WARNING",
    })
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def run_cli(tmp_path: Path, *args: str, env: dict[str, str],
            timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "strongroom", *args], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=timeout, check=False)


def assert_one_line_error(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    lines = result.stderr.strip().splitlines()
    assert result.returncode != 0, result
    assert "Traceback" not in result.stderr + result.stdout
    assert len(lines) == 1, result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]

"""Running Strongroom itself against another database: a scratch copy to verify, or the
database a restore is building. A child process (``python -m strongroom``) with its own
``STRONGROOM_DATABASE_URL`` and data directory, so the vault, the audit verifier and the
migrations run exactly as in production and nothing in this process is re-pointed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.conf import settings

from strongroom.protection.backups.errors import BackupError, BackupErrorCode

_KEY_FILES = ("kek-", "audit-signing.")


def store_env(*, database_url: str, data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STRONGROOM_BACKUP_")}
    env.update({
        "STRONGROOM_DATABASE_URL": database_url,
        "STRONGROOM_DATA_DIR": str(data_dir),
        "STRONGROOM_SECRET_KEY": settings.SECRET_KEY,
        "STRONGROOM_PAYMENT_GATEWAY": "none",
        "STRONGROOM_ALLOWED_HOSTS": "localhost,127.0.0.1",
        # A throwaway store on this host: its links (it sends none) point at itself.
        "STRONGROOM_PUBLIC_URL": "https://localhost",
        "DJANGO_SETTINGS_MODULE": "strongroom.settings",
    })
    if settings.STRONGROOM_KEK:
        env["STRONGROOM_KEK"] = settings.STRONGROOM_KEK
    env.pop("STRONGROOM_REDIS_URL", None)  # a scratch store must not share the live cache
    return env


def command_run(args: list[str], *, env: dict[str, str], timeout: float = 1800
                ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "strongroom", *args], env=env,  # noqa: S603
                          capture_output=True, text=True, timeout=timeout, check=False)


def data_dir_make(*, into: Path, keys_from: Path, checkpoints: Path | None) -> Path:
    """A data directory with the key files (copied, 0600 in 0700) and an audit checkpoint
    file, so the child process checks the scratch database against ITS checkpoints."""
    data = into / "data"
    (data / "keys").mkdir(mode=0o700, parents=True, exist_ok=True)
    for entry in sorted(keys_from.iterdir()) if keys_from.exists() else []:
        if entry.is_file() and entry.name.startswith(_KEY_FILES):
            target = data / "keys" / entry.name
            shutil.copyfile(entry, target)
            target.chmod(0o644 if entry.suffix == ".pub" else 0o600)
    if checkpoints is not None and checkpoints.exists():
        (data / "audit").mkdir(mode=0o700, exist_ok=True)
        shutil.copyfile(checkpoints, data / "audit" / "checkpoints.jsonl")
    return data


def selfcheck_start(*, database_url: str, data_dir: Path, subject: str = ""
                    ) -> subprocess.Popen[str]:
    """Start the check in a child process (the caller works on meanwhile)."""
    args = ["backup_selfcheck"] + (["--subject", subject] if subject else [])
    return subprocess.Popen(  # noqa: S603 - this interpreter, fixed arguments
        [sys.executable, "-m", "strongroom", *args], text=True, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, env=store_env(database_url=database_url, data_dir=data_dir))


def selfcheck_finish(child: subprocess.Popen[str], *, timeout: float = 1800
                     ) -> dict[str, Any]:
    try:
        out, err = child.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
        raise BackupError(BackupErrorCode.VERIFY_FAILED, "the scratch check timed out"
                          ) from None
    try:
        return json.loads(out.strip().splitlines()[-1])
    except (ValueError, IndexError):
        tail = (err.strip().splitlines() or ["no output"])[-1][:300]
        raise BackupError(BackupErrorCode.VERIFY_FAILED,
                          f"the scratch store did not start: {tail}") from None


def selfcheck(*, database_url: str, data_dir: Path, subject: str = "") -> dict[str, Any]:
    return selfcheck_finish(selfcheck_start(database_url=database_url, data_dir=data_dir,
                                            subject=subject))


def problems_of(report: dict[str, Any], expected_counts: dict[str, int]) -> list[str]:
    """What a self-check found wrong, in one line each."""
    problems = []
    counts = report.get("counts", {})
    for table, n in sorted(expected_counts.items()):
        if counts.get(table) != n:
            problems.append(f"table {table}: {counts.get(table)} rows, the manifest says {n}")
    if not report.get("audit_ok"):
        problems.append("audit verify: " + "; ".join(report.get("audit_problems", []))[:300])
    if report.get("decrypt_failed"):
        problems.append(f"{report['decrypt_failed']} sampled encrypted fields did not decrypt")
    if report.get("migrations_pending"):
        problems.append("migrations not applied: " + ", ".join(report["migrations_pending"]))
    return problems

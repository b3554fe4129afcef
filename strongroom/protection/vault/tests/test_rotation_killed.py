"""`strongroom keys rotate --reencrypt` killed (SIGKILL) in its re-encryption phase, in a
real process, then run again: it must finish that rotation, not start another KEK."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from strongroom.interfaces.cli.tests.cliutil import cli_env, run_cli

SEED = (
    "import django; django.setup()\n"
    "from strongroom.protection.vault import services\n"
    "from strongroom.protection.vault.models import Probe\n"
    "for i in range(400):\n"
    "    Probe.objects.create(subject=services.subject_create(), name=f'person {i}')\n"
)
STATE = (
    "import django; django.setup()\n"
    "from strongroom.protection.vault.internal.runtime import keystore\n"
    "from strongroom.protection.vault.models import DataKey, Probe\n"
    "print(sorted(keystore().kms.versions()),"
    " DataKey.objects.filter(state=2).count(),"
    " sorted(set(DataKey.objects.values_list('kek_version', flat=True))),"
    " len({p.name for p in Probe.objects.all()}))\n"
)
# The killed run marked the old keys retiring a while ago; without this the re-run would
# (correctly) wait out the 90 s grace before deleting them.
BACKDATE = (
    "import django, datetime; django.setup()\n"
    "from django.utils import timezone\n"
    "from strongroom.protection.vault.models import DataKey\n"
    "DataKey.objects.filter(state=2).update("
    "state_changed_at=timezone.now() - datetime.timedelta(minutes=5))\n"
)


def _shell(tmp_path: Path, env: dict[str, str], code: str) -> str:
    result = run_cli(tmp_path, "shell", "-c", code, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_killed_in_reencryption_then_rerun_finishes_the_same_rotation(tmp_path: Path) -> None:
    env = cli_env(tmp_path, STRONGROOM_KEK=None)  # KEK files: rotation makes versions
    for args in (["init"], ["migrate", "--noinput", "-v0"]):
        assert run_cli(tmp_path, *args, env=env, timeout=300).returncode == 0
    _shell(tmp_path, env, SEED)

    process = subprocess.Popen(
        [sys.executable, "-m", "strongroom", "keys", "rotate", "--reencrypt",
         "--batch-size", "1"],
        env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    assert process.stderr is not None
    os.set_blocking(process.stderr.fileno(), False)
    seen, deadline = b"", time.monotonic() + 120
    while b"re-encrypt [" not in seen or seen.count(b"re-encrypt [") < 20:
        assert process.poll() is None, "finished before it could be killed"
        assert time.monotonic() < deadline, seen[-300:]
        seen += process.stderr.read() or b""
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)  # mid re-encryption: some subjects done, most not
    process.wait()

    state = _shell(tmp_path, env, STATE)  # KEK versions, retiring keys, their KEKs, names
    assert state.startswith("[1, 2] ") and not state.startswith("[1, 2] 0 "), state
    assert state.endswith(" 400"), state  # everything readable while half done

    _shell(tmp_path, env, BACKDATE)
    rerun = run_cli(tmp_path, "keys", "rotate", "--reencrypt", "--batch-size", "50", env=env,
                    timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert "finishing the rotation that was interrupted" in rerun.stderr
    assert _shell(tmp_path, env, STATE) == "[1, 2] 0 [2] 400"  # no v3; nothing retiring
    retire = run_cli(tmp_path, "keys", "retire", "1", env=env)
    assert retire.returncode == 0, retire.stderr

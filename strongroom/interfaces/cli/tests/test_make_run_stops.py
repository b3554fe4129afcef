"""Ctrl-C stops `make run` and everything it started (the store's granian workers, the
sandbox gateway, the task queue worker) within seconds, as a terminal sends it: SIGINT
to the whole foreground process group."""

from __future__ import annotations

import os
import signal
import ssl
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

import strongroom
from strongroom.testing.live import free_port

pytestmark = [pytest.mark.xdist_group("make-run")]
ROOT = Path(strongroom.__file__).resolve().parent.parent
STOP_WITHIN = 10.0  # seconds; the store's own part is granian's 3 s worker kill timeout


def _group(pgid: int) -> dict[int, str]:
    """Live (not zombie) processes of process group ``pgid``: pid -> command line."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[2]) == pgid and fields[0] != "Z":
            found[int(entry.name)] = cmdline.strip()
    return found


def test_ctrl_c_stops_make_run_and_every_process_it_started():
    work = Path(tempfile.mkdtemp(prefix="strongroom-makerun-"))
    port, http_port, gateway_port = free_port(), free_port(), free_port()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("STRONGROOM_", "DJANGO_", "PYTEST_"))}
    env["STRONGROOM_DATA_DIR"] = str(work / "var")
    log = open(work / "make.log", "wb")  # noqa: SIM115 - closed below
    make = subprocess.Popen(
        ["make", "-s", "-C", str(ROOT), "run", f"RUN_PORT={port}",
         f"RUN_HTTP_PORT={http_port}", f"RUN_GATEWAY_PORT={gateway_port}"],
        env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        start_new_session=True)
    try:
        deadline = time.monotonic() + 300
        while True:
            try:
                context = ssl.create_default_context(cafile=str(work / "var/tls/ca.pem"))
                urllib.request.urlopen(f"https://localhost:{port}/", context=context,  # noqa: S310
                                       timeout=3).read()
                break
            except (OSError, ssl.SSLError):
                assert make.poll() is None, (work / "make.log").read_text(errors="replace")
                assert time.monotonic() < deadline, "make run did not serve the store"
                time.sleep(1)
        started = _group(make.pid)
        commands = " | ".join(started.values())
        assert "strongroom worker" in commands and "strongroom gateway" in commands
        assert "strongroom serve" in commands

        os.killpg(make.pid, signal.SIGINT)  # Ctrl-C in the terminal
        t0 = time.monotonic()
        while _group(make.pid) and time.monotonic() - t0 < 30:
            make.poll()
            time.sleep(0.2)
        elapsed = time.monotonic() - t0
        left = _group(make.pid)
        assert not left, f"still running after {elapsed:.1f} s: {left}"
        assert elapsed < STOP_WITHIN, f"took {elapsed:.1f} s to stop"
        assert make.wait(timeout=5) is not None
    finally:
        if _group(make.pid):
            os.killpg(make.pid, signal.SIGKILL)
        make.wait(timeout=10)
        log.close()

"""Throughput of the storefront product page and the catalog API against a bare Django
view, all served by one `strongroom serve` (granian, TLS) on one database, loaded by wrk
(or a small Python client when wrk is not installed)."""

from __future__ import annotations

import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

DURATION_S = 8
CONNECTIONS = 16


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _python_load(url: str, ca: Path, seconds: float) -> float:
    ctx = ssl.create_default_context(cafile=str(ca))
    count = 0
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker():
        nonlocal count
        import http.client
        from urllib.parse import urlsplit

        parts = urlsplit(url)
        conn = http.client.HTTPSConnection(parts.hostname, parts.port, context=ctx)
        n = 0
        while time.monotonic() < deadline:
            conn.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""))
            resp = conn.getresponse()
            resp.read()
            if resp.status != 200:
                raise RuntimeError(f"{url} answered {resp.status}")
            n += 1
        with lock:
            count += n

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return count / seconds


def _wrk(url: str, seconds: int) -> float:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", url],
        capture_output=True, text=True, check=True, timeout=seconds + 30,
    ).stdout
    if re.search(r"Non-2xx or 3xx responses", out):
        raise RuntimeError(f"{url} returned errors under load:\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def run(*, seconds: int = DURATION_S) -> dict[str, float]:
    work = Path(tempfile.mkdtemp(prefix="strongroom-bench-"))
    env = {
        **os.environ,
        "STRONGROOM_DATA_DIR": str(work / "var"),
        "STRONGROOM_ALLOWED_HOSTS": "localhost,127.0.0.1",
        "DJANGO_SETTINGS_MODULE": "strongroom.bench.settings",
        "STRONGROOM_LOG_LEVEL": "WARNING",
    }
    env.pop("STRONGROOM_DEBUG", None)
    cli = [sys.executable, "-m", "strongroom"]
    quiet = {"env": env, "check": True, "stdout": subprocess.DEVNULL}
    subprocess.run([*cli, "init"], **quiet)
    subprocess.run([*cli, "migrate", "--noinput", "-v0"], **quiet)
    subprocess.run([*cli, "collectstatic", "--noinput", "-v0"], **quiet)
    subprocess.run([*cli, "demo"], **quiet)
    port = _free_port()
    server = subprocess.Popen(
        [*cli, "serve", "--host", "127.0.0.1", "--port", str(port), "--no-http"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )
    ca = work / "var" / "tls" / "ca.pem"
    base = f"https://localhost:{port}"
    try:
        ctx = ssl.create_default_context(cafile=str(ca)) if ca.exists() else None
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/__bench/bare/", context=ctx, timeout=2)  # noqa: S310
                break
            except OSError as exc:
                if server.poll() is not None:
                    raise RuntimeError("server did not start: "
                                       + server.stderr.read().decode()) from exc
                if time.monotonic() > deadline:
                    raise RuntimeError("server did not start within 60 s") from exc
                time.sleep(0.3)
                ctx = ssl.create_default_context(cafile=str(ca)) if ca.exists() else None
        slug = "ethiopia-yirgacheffe"
        urls = {
            "bare Django view": f"{base}/__bench/bare/",
            "storefront product page": f"{base}/p/{slug}/",
            "catalog API (product list)": f"{base}/api/catalog/products",
        }
        load = (lambda u: _wrk(u, seconds)) if shutil.which("wrk") else (
            lambda u: _python_load(u, ca, seconds))
        for url in urls.values():  # warm-up; also fails fast on a non-200
            urllib.request.urlopen(url, context=ctx, timeout=10).read()  # noqa: S310
        return {name: load(url) for name, url in urls.items()}
    finally:
        os.killpg(server.pid, 15)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, 9)
        shutil.rmtree(work, ignore_errors=True)

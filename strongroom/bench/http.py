"""Throughput of every page a shopper opens before paying, against a plain Django twin
doing the same kind of work uncached (``bench/urls.py``), on one database, each served by
``strongroom serve`` (granian, TLS) and loaded by wrk (or a small Python client when wrk
is not installed).

Two servers share the database: one with the catalog cache (warm figures) and one with
it off (``bench.settings_cold``: every listing built from the database, the cold
figures). Page and twin run in interleaved short rounds on the same server and the
median of the per-round ratios is reported, so a machine that slows down mid-run slows
both sides of a ratio alike.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

ROUND_SECONDS = 2
ROUNDS = 5
CONNECTIONS = 16
COLD_TARGET = 1 / 3
WARM_TARGET = 1.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _python_load(url: str, ca: Path, seconds: float, cookie: str) -> float:
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
        headers = {"Cookie": cookie} if cookie else {}
        while time.monotonic() < deadline:
            conn.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""),
                         headers=headers)
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


def _wrk(url: str, seconds: float, cookie: str) -> float:
    header = ["-H", f"Cookie: {cookie}"] if cookie else []
    out = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", *header, url],
        capture_output=True, text=True, check=True, timeout=seconds + 30,
    ).stdout
    if re.search(r"Non-2xx or 3xx responses", out):
        raise RuntimeError(f"{url} returned errors under load:\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


class _Server:
    def __init__(self, cli: list[str], env: dict[str, str], settings: str) -> None:
        self.port = _free_port()
        self.base = f"https://localhost:{self.port}"
        self.process = subprocess.Popen(
            [*cli, "serve", "--host", "127.0.0.1", "--port", str(self.port), "--no-http",
             "--workers", "2"],
            env={**env, "DJANGO_SETTINGS_MODULE": settings}, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE, start_new_session=True)

    def wait(self, ctx: ssl.SSLContext) -> None:
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"{self.base}/__bench/bare/", context=ctx,  # noqa: S310
                                       timeout=3)
                return
            except OSError as exc:
                if self.process.poll() is not None:
                    raise RuntimeError("server did not start: "
                                       + self.process.stderr.read().decode()) from exc
                if time.monotonic() > deadline:
                    raise RuntimeError("server did not start within 90 s") from exc
                time.sleep(0.3)

    def stop(self) -> None:
        os.killpg(self.process.pid, 15)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, 9)


def _cart_cookie(base: str, ca: Path, slug: str) -> str:
    """A guest session with one item in its cart (for the cart and checkout pages)."""
    import requests

    session = requests.Session()
    session.trust_env = False  # REQUESTS_CA_BUNDLE would replace our CA
    session.verify = str(ca)
    page = session.get(f"{base}/p/{slug}/", timeout=10).text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    variant = re.search(r'name="variant"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="variant"',
                        page)
    response = session.post(f"{base}/cart/add/", timeout=10, allow_redirects=False,
                            headers={"Referer": f"{base}/p/{slug}/"},
                            data={"csrfmiddlewaretoken": token, "quantity": 1,
                                  "variant": variant.group(1) or variant.group(2)})
    if response.status_code != 302:
        raise RuntimeError(f"could not fill a cart: HTTP {response.status_code}")
    return "; ".join(f"{c.name}={c.value}" for c in session.cookies)


def _ratio(load: Callable[[str, str], float], page: str, bare: str,
           cookie: str) -> tuple[float, float, float]:
    """(page req/s, twin req/s, median ratio) over interleaved rounds."""
    pages, bares, ratios = [], [], []
    for _ in range(ROUNDS):
        b = load(bare, cookie)
        p = load(page, cookie)
        bares.append(b)
        pages.append(p)
        ratios.append(p / b)
    return statistics.median(pages), statistics.median(bares), statistics.median(ratios)


def run() -> list[str]:
    work = Path(tempfile.mkdtemp(prefix="strongroom-bench-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("STRONGROOM_")}
    env.update({
        "STRONGROOM_DATA_DIR": str(work / "var"),
        "STRONGROOM_ALLOWED_HOSTS": "localhost,127.0.0.1",
        "DJANGO_SETTINGS_MODULE": "strongroom.bench.settings",
        "STRONGROOM_LOG_LEVEL": "WARNING",
    })
    cli = [sys.executable, "-m", "strongroom"]
    quiet = {"env": env, "check": True, "stdout": subprocess.DEVNULL}
    servers: list[_Server] = []
    try:
        subprocess.run([*cli, "init"], **quiet)
        subprocess.run([*cli, "migrate", "--noinput", "-v0"], **quiet)
        subprocess.run([*cli, "collectstatic", "--noinput", "-v0"], **quiet)
        subprocess.run([*cli, "demo"], **quiet)
        ca = work / "var" / "tls" / "ca.pem"
        ctx = ssl.create_default_context(cafile=str(ca))
        warm = _Server(cli, env, "strongroom.bench.settings")
        cold = _Server(cli, env, "strongroom.bench.settings_cold")
        servers += [warm, cold]
        for server in servers:
            server.wait(ctx)
        slug, category = "ethiopia-yirgacheffe", "coffee"
        cookie = _cart_cookie(warm.base, ca, slug)
        pairs = [
            ("home", "/", "/__bench/listing/", ""),
            ("category", f"/c/{category}/", "/__bench/listing/", ""),
            ("search", "/search/?q=e", "/__bench/listing/", ""),
            ("product", f"/p/{slug}/", f"/__bench/product/{slug}/", ""),
            ("cart", "/cart/", "/__bench/cart/", cookie),
            ("checkout (address step)", "/checkout/", "/__bench/checkout/", cookie),
        ]
        if shutil.which("wrk"):
            def load(url: str, c: str) -> float:
                return _wrk(url, ROUND_SECONDS, c)
        else:
            def load(url: str, c: str) -> float:
                return _python_load(url, ca, ROUND_SECONDS, c)
        lines = [f"  ({'wrk' if shutil.which('wrk') else 'Python client'}, {ROUNDS} "
                 f"interleaved {ROUND_SECONDS}-second rounds per side, median ratio)"]
        for label, server, page_target in (("warm", warm, WARM_TARGET),
                                           ("cold", cold, COLD_TARGET)):
            for name, page, bare, c in pairs:
                # The checkout is per visitor (nothing to cache): 1/3 of its twin either way.
                target = COLD_TARGET if name.startswith("checkout") else page_target
                for url in (page, bare):  # warm-up; also fails fast on a non-200
                    request = urllib.request.Request(  # noqa: S310 - our own https URL
                        server.base + url, headers={"Cookie": c} if c else {})
                    urllib.request.urlopen(request, context=ctx, timeout=10).read()  # noqa: S310
                p, b, ratio = _ratio(load, server.base + page, server.base + bare, c)
                verdict = "ok" if ratio >= target else "BELOW TARGET"
                lines.append(f"  {name + ', ' + label:<32} {p:8.1f} req/s vs twin {b:8.1f}  "
                             f"ratio {ratio:5.2f}x  (target >= {target:.2f})  {verdict}")
        p, b, ratio = _ratio(load, warm.base + "/api/catalog/products",
                             warm.base + "/__bench/bare/", "")
        lines.append(f"  {'catalog API (product list)':<32} {p:8.1f} req/s vs bare {b:8.1f}  "
                     f"ratio {ratio:5.2f}x  (target >= {COLD_TARGET:.2f})  "
                     f"{'ok' if ratio >= COLD_TARGET else 'BELOW TARGET'}")
        return lines
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)

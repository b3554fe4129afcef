"""`strongroom serve` for real: a subprocess on free ports, spoken to over TLS by Python's
ssl module trusting only the CA that `strongroom init` generated."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from strongroom.interfaces.cli.tests.cliutil import (
    assert_one_line_error,
    cli_env,
    free_port,
    run_cli,
)

# One served store per test run; xdist keeps these tests on one worker.
pytestmark = pytest.mark.xdist_group("strongroom-serve")
START_TIMEOUT = 60


@dataclass(frozen=True)
class Served:
    port: int
    http_port: int
    ca: Path
    log: Path

    def context(self, **versions: ssl.TLSVersion) -> ssl.SSLContext:
        ctx = ssl.create_default_context(cafile=str(self.ca))
        for attribute, version in versions.items():
            setattr(ctx, attribute, version)
        return ctx

    def handshake(self, ctx: ssl.SSLContext, server_hostname: str = "localhost") -> ssl.SSLSocket:
        raw = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        try:
            return ctx.wrap_socket(raw, server_hostname=server_hostname)
        except BaseException:
            raw.close()
            raise


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Always end the whole process group (granian's main process and its workers)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=15)
    else:
        try:
            os.killpg(process.pid, signal.SIGKILL)  # orphaned workers, if any
        except ProcessLookupError:
            pass


def _wait_for_tls(process: subprocess.Popen[bytes], port: int, ca: Path, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    ctx = ssl.create_default_context(cafile=str(ca))
    while True:
        if process.poll() is not None:
            pytest.fail(f"strongroom serve exited with {process.returncode}:\n{log.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2) as raw, \
                    ctx.wrap_socket(raw, server_hostname="localhost"):
                return
        except OSError:
            if time.monotonic() > deadline:
                pytest.fail(f"strongroom serve did not answer within {START_TIMEOUT}s:\n"
                            f"{log.read_text()}")
            time.sleep(0.2)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    tmp = tmp_path_factory.mktemp("serve")
    env = cli_env(tmp, STRONGROOM_SECRET_KEY=None)  # a fresh clone: init makes the key
    for args in (["init"], ["migrate", "--noinput", "-v0"],
                 ["collectstatic", "--noinput", "-v0"]):
        result = run_cli(tmp, *args, env=env)
        assert result.returncode == 0, result.stderr
    port, http_port = free_port(), free_port()
    log = tmp / "serve.log"
    ca = tmp / "var" / "tls" / "ca.pem"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "strongroom", "serve", "--port", str(port),
             "--http-port", str(http_port), "--workers", "1"],
            env=env, cwd=tmp, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True,
        )
    try:
        _wait_for_tls(process, port, ca, log)
        yield Served(port=port, http_port=http_port, ca=ca, log=log)
    finally:
        _stop(process)


def test_start_up_prints_the_urls_and_the_ca(served: Served) -> None:
    out = served.log.read_text()
    base = f"https://localhost:{served.port}"
    for url in (f"{base}/", f"{base}/console/", f"{base}/api/", f"{base}/api/openapi.json"):
        assert url in out
    assert f"curl --cacert {served.ca} {base}/" in out
    assert "Traceback" not in out


def test_default_handshake_is_tls12_or_newer_and_verifies(served: Served) -> None:
    with served.handshake(served.context()) as tls:
        assert tls.version() in {"TLSv1.2", "TLSv1.3"}
        assert tls.getpeercert()["subjectAltName"]


def test_tls12_offers_only_ecdhe_with_aead(served: Served) -> None:
    ctx = served.context(maximum_version=ssl.TLSVersion.TLSv1_2)
    with served.handshake(ctx) as tls:
        assert tls.version() == "TLSv1.2"
        cipher = tls.cipher()[0]
        assert cipher.startswith("ECDHE-") and ("GCM" in cipher or "CHACHA20" in cipher)


@pytest.mark.filterwarnings("ignore:ssl.TLSVersion.TLSv1:DeprecationWarning")
@pytest.mark.parametrize("version", [ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_1],
                         ids=["TLSv1.0", "TLSv1.1"])
def test_tls10_and_tls11_are_refused(served: Served, version: ssl.TLSVersion) -> None:
    ctx = served.context(minimum_version=version, maximum_version=version)
    # Let our side really offer the old protocol, so the refusal is the server's.
    ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    with pytest.raises(ssl.SSLError, match="ALERT_PROTOCOL_VERSION|HANDSHAKE_FAILURE"):
        served.handshake(ctx).close()


@pytest.mark.parametrize("name", ["localhost", "127.0.0.1"])
def test_certificate_verifies_for_local_names(served: Served, name: str) -> None:
    with served.handshake(served.context(), server_hostname=name) as tls:
        assert tls.version()


def test_certificate_is_not_valid_for_other_names(served: Served) -> None:
    with pytest.raises(ssl.SSLCertVerificationError):
        served.handshake(served.context(), server_hostname="shop.example.com").close()


def test_certificate_is_not_trusted_without_the_local_ca(served: Served) -> None:
    with pytest.raises(ssl.SSLCertVerificationError):
        served.handshake(ssl.create_default_context()).close()


def test_https_responses_carry_hsts(served: Served) -> None:
    conn = http.client.HTTPSConnection("localhost", served.port, context=served.context(),
                                       timeout=10)
    try:
        conn.request("GET", "/")
        response = conn.getresponse()
        response.read()
    finally:
        conn.close()
    assert response.status < 500
    assert response.getheader("Strict-Transport-Security", "").startswith("max-age=")
    assert "frame-ancestors 'none'" in response.getheader("Content-Security-Policy", "")


def test_plain_http_port_answers_301_to_https(served: Served) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", served.http_port, timeout=10)
    try:
        conn.request("GET", "/cart/?step=2", headers={"Host": f"localhost:{served.http_port}"})
        response = conn.getresponse()
        body = response.read()
    finally:
        conn.close()
    assert response.status == 301
    assert response.getheader("Location") == f"https://localhost:{served.port}/cart/?step=2"
    assert b"<html" not in body.lower()


# --- refusals: one clear line, before anything listens --------------------------------------

@pytest.fixture
def fresh(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    env = cli_env(tmp_path)
    assert run_cli(tmp_path, "init", env=env).returncode == 0
    return tmp_path, env


def test_serve_refuses_pending_migrations(fresh: tuple[Path, dict[str, str]]) -> None:
    tmp, env = fresh
    result = run_cli(tmp, "serve", "--port", str(free_port()), "--no-http", env=env)
    assert_one_line_error(result, "unapplied migration", "strongroom migrate")


def test_serve_refuses_uncollected_static_files(fresh: tuple[Path, dict[str, str]]) -> None:
    tmp, env = fresh
    assert run_cli(tmp, "migrate", "--noinput", "-v0", env=env).returncode == 0
    result = run_cli(tmp, "serve", "--port", str(free_port()), "--no-http", env=env)
    assert_one_line_error(result, "collectstatic")


@pytest.mark.parametrize(("args", "needle"), [
    (["--cert", "/nonexistent.pem"], "--cert and --key go together"),
    (["--cert", "/nonexistent.pem", "--key", "/nonexistent-key.pem"], "cannot read"),
    (["--port", "70000"], "not a TCP port"),
    (["--port", "9443", "--http-port", "9443"], "must differ"),
    (["--workers", "0"], "out of range"),
])
def test_serve_refuses_bad_options(fresh: tuple[Path, dict[str, str]], args: list[str],
                                   needle: str) -> None:
    tmp, env = fresh
    assert_one_line_error(run_cli(tmp, "serve", *args, env=env), needle)


def test_serve_refuses_a_port_in_use(tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    for args in (["init"], ["migrate", "--noinput", "-v0"], ["collectstatic", "--noinput",
                                                              "-v0"]):
        assert run_cli(tmp_path, *args, env=env).returncode == 0
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run_cli(tmp_path, "serve", "--port", str(port), "--no-http", env=env,
                         timeout=60)
    assert_one_line_error(result, f"127.0.0.1:{port}", "--port")


@pytest.mark.parametrize("damage", ["missing", "readable"])
def test_serve_refuses_a_missing_or_exposed_vault_key(tmp_path: Path, damage: str) -> None:
    env = cli_env(tmp_path, STRONGROOM_KEK=None)  # the key comes from the file init made
    for args in (["init"], ["migrate", "--noinput", "-v0"]):
        assert run_cli(tmp_path, *args, env=env).returncode == 0
    key_file = tmp_path / "var" / "keys" / "kek-1.key"
    if damage == "missing":
        key_file.unlink()
        needle = "no key-encryption key"
    else:
        key_file.chmod(0o644)
        needle = "readable by other users"
    result = run_cli(tmp_path, "serve", "--port", str(free_port()), "--no-http", env=env)
    assert_one_line_error(result, needle)


@pytest.mark.django_db
def test_every_url_in_the_start_up_banner_answers(client):
    """The banner is what a new owner clicks first: no 404 among its links."""
    import io
    import re as _re

    from strongroom.interfaces.cli.management.commands.serve import Command

    out = io.StringIO()
    Command(stdout=out)._banner("127.0.0.1", 8443, None, None)
    paths = _re.findall(r"https://localhost:8443(/\S*)", out.getvalue())
    assert {"/", "/console/", "/api/", "/api/docs", "/api/openapi.json"} <= set(paths)
    for path in paths:
        response = client.get(path, secure=True, HTTP_HOST="localhost")
        assert response.status_code in {200, 302}, (path, response.status_code)

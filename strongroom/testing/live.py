"""A real store for end-to-end tests: `strongroom init/migrate/demo/serve` in subprocesses,
on a throwaway database (a SQLite file, or a fresh PostgreSQL database on the server named
by STRONGROOM_DATABASE_URL, dropped afterwards), served over TLS by granian."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class LiveStore:
    base_url: str
    http_url: str
    data_dir: Path
    env: dict[str, str]
    owner_email: str
    owner_password: str
    process: subprocess.Popen
    gateway_url: str = ""
    gateway_process: subprocess.Popen | None = None
    worker_process: subprocess.Popen | None = None
    _cleanup: list = field(default_factory=list)

    @property
    def ca_path(self) -> Path:
        return self.data_dir / "tls" / "ca.pem"

    def ssl_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.ca_path))

    def command(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "strongroom", *args], env=self.env,
                              capture_output=True, text=True, check=check, timeout=120)

    def mail_link(self, to: str, path_prefix: str, *, wait: float = 20.0) -> str:
        """The newest link starting with ``path_prefix`` in mail sent to ``to`` (the file
        email backend writes every message under ``<data dir>/mail``). The worker sends
        mail after the request: wait up to ``wait`` seconds for it."""
        deadline = time.monotonic() + wait
        while True:
            try:
                return self._mail_link(to, path_prefix)
            except AssertionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def _mail_link(self, to: str, path_prefix: str) -> str:
        found: list[tuple[float, str]] = []
        for message in sorted((self.data_dir / "mail").glob("*.log")):
            text = message.read_text(errors="replace")
            for block in text.split("-" * 79):
                if f"To: {to}" in block:
                    for link in re.findall(re.escape(self.base_url + path_prefix) + r"\S+",
                                           block):
                        found.append((message.stat().st_mtime, link))
        if not found:
            raise AssertionError(f"no mail to {to} with a {path_prefix} link")
        return found[-1][1]

    def stop(self) -> None:
        for process in (self.process, self.gateway_process, self.worker_process):
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
        for step in reversed(self._cleanup):
            step()


def throwaway_database(base_url: str | None, *, prefix: str = "strongroom_e2e"
                       ) -> tuple[str | None, object]:
    """A fresh database on the PostgreSQL server ``base_url`` names (never the one it names)
    and the function that drops it; (None, no-op) for SQLite or no URL."""
    if not base_url or base_url.startswith("sqlite"):
        return None, lambda: None
    import psycopg

    name = f"{prefix}_{secrets.token_hex(4)}"
    parts = urlsplit(base_url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return urlunsplit(parts._replace(path=f"/{name}")), drop


def live_store_start() -> LiveStore:
    work = Path(tempfile.mkdtemp(prefix="strongroom-e2e-"))
    cleanup: list = [lambda: shutil.rmtree(work, ignore_errors=True)]
    db_url, drop = throwaway_database(os.environ.get("STRONGROOM_DATABASE_URL"))
    cleanup.append(drop)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("STRONGROOM_", "DJANGO_", "PYTEST_"))}
    env.update({
        "STRONGROOM_DATA_DIR": str(work / "var"),
        "STRONGROOM_ALLOWED_HOSTS": "localhost,127.0.0.1",
        "STRONGROOM_LOG_LEVEL": "WARNING",
    })
    if db_url:
        env["STRONGROOM_DATABASE_URL"] = db_url
    port, http_port, gateway_port = free_port(), free_port(), free_port()
    # The sandbox payment gateway runs beside the store, as `make run` does.
    env["STRONGROOM_SANDBOX_URL"] = f"https://localhost:{gateway_port}"
    env["STRONGROOM_PUBLIC_URL"] = f"https://localhost:{port}"  # where emailed links point
    cli = [sys.executable, "-m", "strongroom"]
    gateway = None
    try:
        for args in (["init"], ["migrate", "--noinput", "-v0"],
                     ["collectstatic", "--noinput", "-v0"]):
            subprocess.run([*cli, *args], env=env, check=True, capture_output=True, timeout=180)
        gateway_log = open(work / "gateway.log", "wb")  # noqa: SIM115 - closed in stop()
        cleanup.append(gateway_log.close)
        gateway = subprocess.Popen(
            [*cli, "gateway", "--port", str(gateway_port),
             "--webhook-url", f"https://localhost:{port}/payments/webhooks/sandbox/"],
            env=env, stdout=gateway_log, stderr=subprocess.STDOUT, start_new_session=True)
        cleanup.append(lambda: _kill(gateway))
        subprocess.run([sys.executable, "-m", "strongroom.sandbox.wait", str(gateway_port), "30"],
                       check=True, timeout=60)
        demo = subprocess.run([*cli, "demo"], env=env, check=True, capture_output=True,
                              text=True, timeout=180).stdout
        email = re.search(r"email:\s+(\S+)", demo).group(1)
        password = re.search(r"password:\s+(\S+)", demo).group(1)
        # The task queue worker sends the emails and runs the schedules, as in `make run`.
        worker_log = open(work / "worker.log", "wb")  # noqa: SIM115 - closed in stop()
        cleanup.append(worker_log.close)
        worker = subprocess.Popen([*cli, "worker"], env=env, stdout=worker_log,
                                  stderr=subprocess.STDOUT, start_new_session=True)
        cleanup.append(lambda: _kill(worker))
        # The owner's training, as the test factories give staff theirs: the training gate
        # stays on in the live store (test_training_browser makes an untrained agent).
        subprocess.run([*cli, "shell", "-c", TRAIN_STAFF], env=env, check=True,
                       capture_output=True, timeout=180)
        log = open(work / "serve.log", "wb")  # noqa: SIM115 - closed in stop()
        cleanup.append(log.close)
        process = subprocess.Popen(
            [*cli, "serve", "--host", "127.0.0.1", "--port", str(port),
             "--http-port", str(http_port)],
            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
    except BaseException:
        for step in reversed(cleanup):
            step()
        raise
    store = LiveStore(base_url=f"https://localhost:{port}", http_url=f"http://localhost:{http_port}",
                      data_dir=work / "var", env=env, owner_email=email,
                      owner_password=password, process=process,
                      gateway_url=env["STRONGROOM_SANDBOX_URL"], gateway_process=gateway,
                      worker_process=worker, _cleanup=cleanup)
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(store.base_url + "/", context=store.ssl_context(),  # noqa: S310
                                   timeout=3).read()
            return store
        except OSError as exc:
            if process.poll() is not None or time.monotonic() > deadline:
                output = (work / "serve.log").read_text(errors="replace")
                store.stop()
                raise RuntimeError(f"strongroom serve did not come up: {exc}\n{output}") from exc
            time.sleep(0.25)


TRAIN_STAFF = ("from django.contrib.auth import get_user_model\n"
               "from strongroom.testing.people import training_complete\n"
               "for user in get_user_model().objects.filter(is_staff=True):\n"
               "    training_complete(user)\n")


def live_shell(store: LiveStore, code: str) -> str:
    """Run Python ``code`` in the live store's Django (``strongroom shell -c``)."""
    return subprocess.run([sys.executable, "-m", "strongroom", "shell", "-c", code],
                          env=store.env, check=True, capture_output=True, text=True,
                          timeout=180).stdout


def _kill(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def spki_fingerprint(cert_pem: Path) -> str:
    """base64(sha256(SubjectPublicKeyInfo)) of a certificate, for Chromium's
    --ignore-certificate-errors-spki-list: the browser trusts exactly our server key."""
    pub = subprocess.run(["openssl", "x509", "-pubkey", "-noout", "-in", str(cert_pem)],
                         capture_output=True, check=True).stdout
    der = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "der"], input=pub,
                         capture_output=True, check=True).stdout
    import base64
    import hashlib

    return base64.b64encode(hashlib.sha256(der).digest()).decode()

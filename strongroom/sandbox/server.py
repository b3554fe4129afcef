"""Serving the sandbox gateway: a threaded WSGI server behind TLS 1.2+, plus the webhook
delivery loop, in one process. ``gateway_start`` is used both by ``strongroom gateway``
and by tests (which run it in a thread on a free port)."""

from __future__ import annotations

import json
import logging
import os
import socket
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

from .app import GatewayApp, page_secret_ensure
from .db import Database
from .delivery import Deliverer, Sender, https_sender
from .expiry import expiry_run

log = logging.getLogger("strongroom.sandbox.http")


class _Handler(WSGIRequestHandler):
    def log_message(self, format: str, *args) -> None:  # noqa: A002 - stdlib signature
        # The request line only: paths carry session ids, never card data (POST bodies).
        log.debug("%s %s", self.address_string(), format % args)

    def get_stderr(self):  # wsgiref's error stream -> our logger
        return _LogStream()


class _LogStream:
    def write(self, text: str) -> None:
        if text.strip():
            log.error("%s", text.rstrip())

    def flush(self) -> None:
        pass


class _TlsServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True
    context: ssl.SSLContext

    def finish_request(self, request, client_address) -> None:
        # The TLS handshake happens in the request's own thread: a slow or silent client
        # cannot stall the accept loop for everyone else.
        request.settimeout(30)
        try:
            tls = self.context.wrap_socket(request, server_side=True)
        except (OSError, ssl.SSLError):
            return
        try:
            super().finish_request(tls, client_address)
        finally:
            try:
                tls.close()
            except OSError:
                pass


@dataclass
class GatewayHome:
    """``<data_dir>/gateway``: the gateway's database and its own secret."""

    path: Path

    @property
    def database(self) -> Path:
        return self.path / "gateway.sqlite3"


def home_prepare(path: Path) -> GatewayHome:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.stat().st_mode & 0o077:
        path.chmod(0o700)
    return GatewayHome(path)


def credentials_load(path: Path) -> dict[str, str]:
    data = json.loads(path.read_text())
    return {"api_key": str(data["api_key"]), "webhook_secret": str(data["webhook_secret"])}


def webhook_secret_reader(path: Path, started_with: str) -> Callable[[], str]:
    """The webhook secret from the credentials file the store shares (re-read at each
    delivery: the store may roll it); the one the gateway started with if unreadable."""

    def current() -> str:
        try:
            return credentials_load(path)["webhook_secret"] or started_with
        except (OSError, ValueError, KeyError, TypeError):
            return started_with

    return current


@dataclass
class RunningGateway:
    server: _TlsServer
    app: GatewayApp
    deliverer: Deliverer | None
    stop_event: threading.Event
    threads: list[threading.Thread]
    port: int

    def stop(self) -> None:
        self.stop_event.set()
        self.server.shutdown()
        self.server.server_close()
        for thread in self.threads:
            thread.join(timeout=5)


def gateway_start(*, home: Path, host: str, port: int, cert: Path, key: Path,
                  credentials: dict[str, str], public_url: str | None = None,
                  webhook_url: str | None = None, ca_file: Path | None = None,
                  sender: Sender | None = None, deliver: bool = True,
                  credentials_file: Path | None = None) -> RunningGateway:
    """Bind, then serve and deliver in background threads; the caller waits or stops."""
    gw_home = home_prepare(home)
    db = Database(gw_home.database)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(str(cert), str(key))
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    server_cls = type("GatewayServer", (_TlsServer,), {"address_family": family})
    server = server_cls((host, port), _Handler)
    server.context = context
    bound = server.server_address[1]
    app = GatewayApp(db=db, public_url=public_url or f"https://localhost:{bound}",
                     api_key=credentials["api_key"],
                     page_secret=page_secret_ensure(gw_home.path))
    server.set_app(app)
    stop = threading.Event()
    threads = [threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                                name="sandbox-http", daemon=True)]
    deliverer = None
    if webhook_url:
        secret: str | Callable[[], str] = credentials["webhook_secret"]
        if credentials_file is not None:
            secret = webhook_secret_reader(credentials_file, credentials["webhook_secret"])
        deliverer = Deliverer(db=db, url=webhook_url, secret=secret,
                              sender=sender or https_sender(ca_file))
        if deliver:
            threads.append(threading.Thread(target=deliverer.run, args=(stop,),
                                            name="sandbox-webhooks", daemon=True))
    threads.append(threading.Thread(target=expiry_run, args=(db, stop),
                                    kwargs={"public_url": app.public_url},
                                    name="sandbox-expiry", daemon=True))
    for thread in threads:
        thread.start()
    log.info("sandbox gateway pid %d listening on %s:%d", os.getpid(), host, bound)
    return RunningGateway(server=server, app=app, deliverer=deliverer, stop_event=stop,
                          threads=threads, port=bound)

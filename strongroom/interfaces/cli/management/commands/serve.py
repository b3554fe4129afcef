"""``strongroom serve``: the store over HTTPS (granian, WSGI), plain HTTP only redirects.

TLS is terminated by granian's rustls, limited to TLS 1.2 and 1.3. rustls implements
only ECDHE key exchange with AEAD ciphers (AES-GCM, ChaCha20-Poly1305) for TLS 1.2 and
nothing older than 1.2, so the offer is Mozilla's "intermediate" profile minus the DHE
suites: no CBC, RC4, 3DES, static-RSA key exchange or SSLv3/TLS 1.0/1.1 to downgrade to.
"""

from __future__ import annotations

import os
import socket
import ssl
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http.request import validate_host

from strongroom.interfaces.cli.bootstrap import trust_hint
from strongroom.interfaces.cli.redirect import redirect_server_start
from strongroom.protection.vault.checks import check_keys
from strongroom.protection.vault.tls import tls_ensure

WSGI_TARGET = "strongroom.wsgi:application"
WORKERS_KILL_SECONDS = 3
LOOPBACK_OR_ANY = {"127.0.0.1", "::1", "localhost", "0.0.0.0", "::"}  # noqa: S104


class Command(BaseCommand):
    help = "Serve the store over HTTPS; plain HTTP answers only with a redirect to HTTPS."
    # Checked in handle(), after the database: a missing schema is the first thing to say.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default=None,
                            help="address to listen on (default STRONGROOM_HOST or 127.0.0.1)")
        parser.add_argument("--port", type=int, default=8443, help="HTTPS port (8443)")
        http = parser.add_mutually_exclusive_group()
        http.add_argument("--http-port", type=int, default=8080,
                          help="plain-HTTP port that redirects to HTTPS (8080)")
        http.add_argument("--no-http", action="store_true", help="no plain-HTTP listener")
        parser.add_argument("--workers", type=int, default=min(4, os.cpu_count() or 1),
                            help="worker processes")
        parser.add_argument("--cert", type=Path, help="certificate chain (PEM) to use "
                            "instead of the local CA's; needs --key")
        parser.add_argument("--key", type=Path, help="private key (PEM) for --cert")

    def handle(self, *args: Any, **options: Any) -> None:
        host = options["host"] or settings.CONFIG.extra.get("STRONGROOM_HOST") or "127.0.0.1"
        port, workers = options["port"], options["workers"]
        http_port = None if options["no_http"] else options["http_port"]
        _check_port("--port", port)
        if http_port is not None:
            _check_port("--http-port", http_port)
            if http_port == port:
                raise CommandError("--http-port must differ from --port (or use --no-http)")
        if not 1 <= workers <= 64:
            raise CommandError(f"--workers {workers} is out of range: use 1 to 64")
        cert, key, ca_cert = self._tls_files(options["cert"], options["key"])

        _database_ready()
        _keys_ready()
        self.check()
        _static_files_ready()
        # Function-level: the server library loads only once the checks above passed.
        from granian import Granian
        from granian.constants import Interfaces, SSLProtocols

        try:
            server = Granian(
                WSGI_TARGET,
                address=host,
                port=port,
                interface=Interfaces.WSGI,
                websockets=False,
                workers=workers,
                blocking_threads=min(32, 2 * (os.cpu_count() or 1) + 1),
                ssl_cert=cert,
                ssl_key=key,
                ssl_protocol_min=SSLProtocols.tls12,
                # Ctrl-C / SIGTERM: a worker still busy after this many seconds is killed,
                # so the server (and `make run` waiting on it) stops within seconds.
                workers_kill_timeout=WORKERS_KILL_SECONDS,
            )
        except (OSError, ssl.SSLError) as exc:
            raise CommandError(f"cannot use the TLS files {cert} and {key} ({exc})") from None
        _port_free(host, port, "--port")
        redirect = None
        if http_port is not None:
            _port_free(host, http_port, "--http-port")
            redirect = redirect_server_start(
                host=host, port=http_port, https_port=port,
                host_allowed=lambda name: validate_host(name, settings.ALLOWED_HOSTS),
            )
        self._banner(host, port, http_port, ca_cert)
        # Workers are forked from this process: no database connection may be shared.
        connections.close_all()
        try:
            server.serve()
        finally:
            if redirect is not None:
                redirect.shutdown()

    def _tls_files(self, cert: Path | None, key: Path | None) -> tuple[Path, Path, Path | None]:
        if cert or key:
            if not (cert and key):
                raise CommandError("--cert and --key go together: give both or neither")
            for path in (cert, key):
                if not path.is_file() or not os.access(path, os.R_OK):
                    raise CommandError(f"cannot read {path}: check the path and permissions")
            return cert, key, None
        report = tls_ensure(data_dir=settings.STRONGROOM_DATA_DIR,
                            allowed_hosts=list(settings.ALLOWED_HOSTS))
        if report.cert_issued:
            self.stdout.write(f"Issued server certificate {report.files.cert} ({report.reason})")
        return report.files.cert, report.files.key, report.files.ca_cert

    def _banner(self, host: str, port: int, http_port: int | None, ca: Path | None) -> None:
        name = "localhost" if host in LOOPBACK_OR_ANY else (f"[{host}]" if ":" in host else host)
        base = f"https://{name}{'' if port == 443 else f':{port}'}"
        lines = [
            f"{settings.STRONGROOM_STORE_NAME} is served over HTTPS (TLS 1.2+):",
            f"  Store          {base}/",
            f"  Staff console  {base}/console/",
            f"  API            {base}/api/",
            f"  API docs       {base}/api/docs",
            f"  OpenAPI        {base}/api/openapi.json",
        ]
        if http_port is not None:
            lines.append(f"  http://{name}:{http_port}/ redirects to HTTPS")
        self.stdout.write("\n".join(lines))
        if ca is not None:
            self.stdout.write(trust_hint(ca, f"{base}/"), ending="")
        self.stdout.flush()
        sys.stdout.flush()


def _check_port(flag: str, port: int) -> None:
    if not 1 <= port <= 65535:
        raise CommandError(f"{flag} {port} is not a TCP port: use 1 to 65535")


def _port_free(host: str, port: int, flag: str) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise CommandError(
                f"cannot listen on {host}:{port} ({exc.strerror}): choose another {flag}"
            ) from None


def _keys_ready() -> None:
    """Refuse to serve without a usable vault KEK: personal data could not be read or
    written (missing key), or the key is exposed (readable by other local users)."""
    problems = check_keys()
    if problems:
        first = problems[0]
        raise CommandError(f"{first.msg} ({first.hint})" if first.hint else first.msg)


def _database_ready() -> None:
    """Refuse to start on an unreachable database or an unmigrated schema.

    An unreachable database raises ``OperationalError``, which ``strongroom.cli`` turns
    into its one-line message.
    """
    connection = connections[DEFAULT_DB_ALIAS]
    connection.ensure_connection()
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        raise CommandError(
            f"the database has {len(plan)} unapplied migration(s): "
            "run `strongroom migrate` first"
        )


def _static_files_ready() -> None:
    manifest = getattr(staticfiles_storage, "manifest_name", None)
    if not settings.DEBUG and manifest and not staticfiles_storage.exists(manifest):
        raise CommandError(
            "static files are not collected: run `strongroom collectstatic --noinput` first"
        )

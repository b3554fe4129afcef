"""``strongroom gateway``: run the sandbox payment gateway, a separate process with its own
database and secrets under ``<data_dir>/gateway/``, over TLS with the certificate that
``strongroom init`` made (it covers localhost), on port 8444 by default."""

from __future__ import annotations

import signal
import sys
import threading
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from strongroom import config
from strongroom.protection.vault.tls import tls_files
from strongroom.sandbox.server import gateway_start


class Command(BaseCommand):
    help = "Run the sandbox payment gateway (hosted payment page, test cards, webhooks)."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="address (127.0.0.1)")
        parser.add_argument("--port", type=int, default=8444, help="HTTPS port (8444)")
        parser.add_argument("--public-url", default=None,
                            help="URL shoppers reach the gateway at (https://localhost:PORT)")
        parser.add_argument("--webhook-url", default="https://localhost:8443/payments/webhooks/"
                            "sandbox/", help="the store's webhook endpoint")

    def handle(self, *args: Any, **options: Any) -> None:
        data_dir = settings.STRONGROOM_DATA_DIR
        creds = config.sandbox_credentials_read(data_dir)
        if not creds:
            raise CommandError("no sandbox credentials: run `strongroom init` first")
        files = tls_files(data_dir)
        if not files.cert.exists() or not files.key.exists():
            raise CommandError("no TLS certificate: run `strongroom init` first")
        port = options["port"]
        if not 1 <= port <= 65535:
            raise CommandError(f"--port {port} is not a TCP port: use 1 to 65535")
        public = options["public_url"] or f"https://localhost:{port}"
        try:
            running = gateway_start(
                home=data_dir / "gateway", host=options["host"], port=port, cert=files.cert,
                key=files.key, credentials=creds, public_url=public,
                webhook_url=options["webhook_url"], ca_file=files.ca_cert,
                credentials_file=data_dir / config.SANDBOX_CREDENTIALS_FILE)
        except OSError as exc:
            raise CommandError(f"cannot listen on {options['host']}:{port} "
                               f"({exc.strerror}): choose another --port") from None
        self.stdout.write(f"Sandbox payment gateway (test mode) at {public}/\n"
                          f"  webhooks go to {options['webhook_url']}\n"
                          f"  its database: {data_dir / 'gateway' / 'gateway.sqlite3'}")
        sys.stdout.flush()
        done = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: done.set())
        done.wait()
        running.stop()

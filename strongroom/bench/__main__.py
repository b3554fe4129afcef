"""`make bench`: every benchmark in one run, printed as measured figures and ratios."""

from __future__ import annotations

import atexit
import importlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile


def _http() -> list[str]:
    from strongroom.bench import http

    return http.run()


_django_ready = False


def _django_setup() -> None:
    """Benchmarks never touch a real store: a throwaway data directory with its own keys
    and a migrated SQLite database (PostgreSQL suites make their own databases)."""
    global _django_ready
    if _django_ready:
        return
    work = tempfile.mkdtemp(prefix="strongroom-bench-")
    # The folder holds a secret key, a key-encryption key and a CA key: it goes on
    # success, failure and Ctrl-C (KeyboardInterrupt unwinds to atexit; SIGTERM is made
    # to do the same).
    atexit.register(shutil.rmtree, work, ignore_errors=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    env = {k: v for k, v in os.environ.items() if not k.startswith("STRONGROOM_")}
    env.update(STRONGROOM_DATA_DIR=f"{work}/var", STRONGROOM_ALLOWED_HOSTS="localhost",
               STRONGROOM_LOG_LEVEL="WARNING", DJANGO_SETTINGS_MODULE="strongroom.settings")
    for args in (["init"], ["migrate", "--noinput", "-v0"],
                 ["collectstatic", "--noinput", "-v0"]):
        subprocess.run([sys.executable, "-m", "strongroom", *args], env=env, check=True,
                       stdout=subprocess.DEVNULL)
    os.environ.clear()
    os.environ.update(env)
    import django

    django.setup()
    _django_ready = True


def _django_suite(module: str) -> list[str]:
    _django_setup()
    mod = importlib.import_module(module)
    return [f"  {line}" for line in mod.report()]


SUITES = [
    ("Storefront pages vs plain Django twins (granian + TLS)", _http),
    ("Vault (field encryption, blind index, rotation)",
     lambda: _django_suite("strongroom.bench.vault")),
    ("Audit log", lambda: _django_suite("strongroom.bench.audit")),
    ("Console lists (1,000 rows vs 100,000 customers / 1,000,000 events; BENCH_LARGE=1: "
     "1M / 10M)", lambda: _django_suite("strongroom.bench.lists")),
    ("Privacy (export, erasure, retention sweep; SQLite)",
     lambda: _django_suite("strongroom.bench.privacy")),
    ("Posture (vulnerability scan, self-audit)",
     lambda: _django_suite("strongroom.bench.posture")),
    # Last: it leaves 300,000 rows in the bench database.
    ("Backups (100,000 customers + 200,000 orders, SQLite)",
     lambda: _django_suite("strongroom.bench.backups")),
    ("Incidents (breach scope over 1,000,000 events; BENCH_LARGE=1 on PostgreSQL: 10M)",
     lambda: _django_suite("strongroom.bench.incidents")),
]


def main() -> int:
    failed = False
    for title, suite in SUITES:
        print(title, flush=True)
        try:
            for line in suite():
                print(line, flush=True)
                failed |= "BELOW TARGET" in line
        except Exception as exc:  # a broken benchmark is reported, never hidden
            print(f"  FAILED: {exc}", flush=True)
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

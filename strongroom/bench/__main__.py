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

from strongroom.testing.live import throwaway_database


def _http() -> list[str]:
    from strongroom.bench import http

    return http.run()


_django_ready = False


def _django_setup() -> None:
    """Benchmarks never touch a real store: a throwaway data directory with its own keys
    and a migrated database: SQLite, or with ``STRONGROOM_DATABASE_URL`` naming a PostgreSQL
    server, a throwaway database on it (``BENCH_LARGE=1`` figures are PostgreSQL's)."""
    global _django_ready
    if _django_ready:
        return
    work = tempfile.mkdtemp(prefix="strongroom-bench-")
    # The folder holds a secret key, a key-encryption key and a CA key: it goes on
    # success, failure and Ctrl-C (KeyboardInterrupt unwinds to atexit; SIGTERM is made
    # to do the same).
    atexit.register(shutil.rmtree, work, ignore_errors=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    server = os.environ.get("STRONGROOM_DATABASE_URL", "")
    env = {k: v for k, v in os.environ.items() if not k.startswith("STRONGROOM_")}
    env.update(STRONGROOM_DATA_DIR=f"{work}/var", STRONGROOM_ALLOWED_HOSTS="localhost",
               STRONGROOM_LOG_LEVEL="WARNING", DJANGO_SETTINGS_MODULE="strongroom.settings")
    # Never the store's own database: a fresh one on that server, dropped at exit.
    url, drop = throwaway_database(server or None, prefix="strongroom_bench")
    if url:
        atexit.register(drop)
        env["STRONGROOM_DATABASE_URL"] = url
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
    """Every suite, or those whose title contains one of the words given
    (``python -m strongroom.bench Console Audit``)."""
    wanted = [w.lower() for w in sys.argv[1:]]
    failed = False
    for title, suite in SUITES:
        if wanted and not any(w in title.lower() for w in wanted):
            continue
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

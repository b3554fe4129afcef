"""The whole story through the command line, in a store of its own (own data directory and
database, as an operator runs it): init, back up, change data, restore - the store is
switched to the restored database, the old one kept, maintenance off again, and the audit
log verifies with the restore and its gap stated in it: signed, so `audit verify` names it
("gap declared at ... by restore of backup ID") where the same cut unsigned is tampering."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from strongroom.protection.backups.internal.snapshot import database_drop, database_url


def _run(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "strongroom", *args], env=env,
                          capture_output=True, text=True, timeout=600, check=False)


@pytest.fixture
def own_store(tmp_path, django_db_blocker):
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        name = str(tmp_path / "shop.sqlite3")
    else:
        name = f"{db['NAME'][:30]}_cli_{secrets.token_hex(3)}"
        with psycopg.connect(host=db.get("HOST") or "127.0.0.1", port=db.get("PORT") or 5432,
                             user=db.get("USER") or "postgres", dbname="postgres",
                             password=db.get("PASSWORD") or None, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    env = {k: v for k, v in os.environ.items() if not k.startswith("STRONGROOM_")}
    env.update(STRONGROOM_DATA_DIR=str(tmp_path / "var"), STRONGROOM_ALLOWED_HOSTS="localhost",
               STRONGROOM_DATABASE_URL=database_url(db, name), STRONGROOM_LOG_LEVEL="WARNING",
               STRONGROOM_BACKUP_DESTINATIONS=f"file://{tmp_path / 'backups'}")
    yield env, name
    if connection.vendor != "sqlite":
        with django_db_blocker.unblock():
            for suffix in ("",):
                database_drop(db=db, name=name + suffix)
            with psycopg.connect(host=db.get("HOST") or "127.0.0.1",
                                 port=db.get("PORT") or 5432, dbname="postgres",
                                 user=db.get("USER") or "postgres",
                                 password=db.get("PASSWORD") or None, autocommit=True) as conn:
                for (left,) in conn.execute("SELECT datname FROM pg_database WHERE datname "
                                            "LIKE %s", (f"{name[:40]}_before_%",)):
                    conn.execute(f'DROP DATABASE IF EXISTS "{left}" WITH (FORCE)')


COUNT_USERS = ("from django.contrib.auth import get_user_model; "
               "print(get_user_model().objects.count())")
PLANNER_STATS = ("from django.db import connection; c = connection.cursor(); c.execute("
                 "\"SELECT count(*) FROM pg_stats WHERE tablename = 'audit_event'\"); "
                 "print(c.fetchone()[0])")
ADD_USER = ("from django.contrib.auth import get_user_model; get_user_model().objects."
            "create_user('late@example.test', None, full_name='Late Comer')")


def test_restore_switches_the_store_and_the_log_states_the_gap(own_store, tmp_path):
    env, name = own_store
    for args in (["init"], ["migrate", "--noinput", "-v0"]):
        assert _run(env, *args).returncode == 0
    key = tmp_path / "recovery-key.txt"
    assert _run(env, "backup", "init", "--out", str(key)).returncode == 0
    assert "AGE-SECRET-KEY-1" in key.read_text() and oct(key.stat().st_mode)[-3:] == "600"
    done = _run(env, "backup", "run")
    assert done.returncode == 0, done.stderr
    backup_id = done.stdout.strip().splitlines()[-1].split()[1].rstrip(":")
    assert _run(env, "shell", "-c", ADD_USER).returncode == 0
    assert _run(env, "audit", "checkpoint").returncode == 0  # signs the later events too
    assert _run(env, "shell", "-c", COUNT_USERS).stdout.split()[-1] == "1"

    done = _run(env, "backup", "restore", backup_id, "--recovery-key", str(key))
    assert done.returncode == 0, done.stderr
    assert "the store now runs on it" in done.stdout
    assert _run(env, "shell", "-c", COUNT_USERS).stdout.split()[-1] == "0"  # as of the backup
    assert "maintenance mode is off" in _run(env, "maintenance", "status").stdout
    if connection.vendor == "postgresql":  # pg_restore brings no statistics: the restore
        assert int(_run(env, "shell", "-c", PLANNER_STATS).stdout.split()[-1]) > 0  # ANALYZEs
    verified = _run(env, "audit", "verify", "--workers", "1")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert f"by restore of backup {backup_id}" in verified.stdout
    assert "belong to the lost history" in verified.stdout  # the checkpoint signed after it
    tail = _run(env, "audit", "tail", "-n", "10").stdout
    assert "audit gap declared" in tail and "backup restored" in tail
    audit_dir = Path(env["STRONGROOM_DATA_DIR"]) / "audit"
    assert list(audit_dir.glob("checkpoints.before-restore-*.jsonl"))  # kept, not deleted
    if connection.vendor == "sqlite":
        assert list(tmp_path.glob("shop.sqlite3.before-restore-*"))  # the old store, kept
    # The commands refuse clearly: a wrong key, a missing backup.
    other = tmp_path / "other.txt"
    other.write_text("not a key\n")
    done = _run(env, "backup", "restore", backup_id, "--recovery-key", str(other))
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1
    done = _run(env, "backup", "verify", "20200101T000000Z-abcdef")
    assert done.returncode == 2 and "no complete backup" in done.stderr

"""Consistent database snapshots taken while the store serves, and loading them elsewhere.

SQLite: the online backup API from a separate connection, in one step (one read
transaction: a consistent copy; writers go on in WAL mode). PostgreSQL: a REPEATABLE
READ transaction exports its snapshot, the row counts are taken in it, and
``pg_dump -Fc --snapshot`` dumps exactly that state, so the counts in the manifest are the dump's.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg
from psycopg import sql

from strongroom.protection.backups.errors import BackupError, BackupErrorCode


@dataclass(frozen=True)
class Snapshot:
    path: Path
    engine: str
    counts: dict[str, int]


def engine_of(db: dict[str, Any]) -> str:
    return "sqlite" if "sqlite" in db["ENGINE"] else "postgresql"


def _tables_sqlite(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name")]


def counts_sqlite(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return {t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0]  # noqa: S608
                for t in _tables_sqlite(conn)}
    finally:
        conn.close()


def _pg_env(db: dict[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"PGHOST": str(db.get("HOST") or "127.0.0.1"),
                "PGPORT": str(db.get("PORT") or 5432),
                "PGUSER": str(db.get("USER") or "postgres")})
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


def _pg_connect(db: dict[str, Any], name: str | None = None, **kw: Any) -> psycopg.Connection:
    return psycopg.connect(host=db.get("HOST") or "127.0.0.1", port=db.get("PORT") or 5432,
                           user=db.get("USER") or "postgres", password=db.get("PASSWORD") or None,
                           dbname=name or db["NAME"], connect_timeout=5, **kw)


def counts_pg(conn: psycopg.Connection) -> dict[str, int]:
    tables = [r[0] for r in conn.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname='public' ORDER BY tablename")]
    return {t: conn.execute(sql.SQL("SELECT COUNT(*) FROM {}").format(sql.Identifier(t))
                            ).fetchone()[0] for t in tables}


def snapshot_take(*, db: dict[str, Any], into: Path) -> Snapshot:
    if engine_of(db) == "sqlite":
        path = into / "database.sqlite3"
        conn = sqlite3.connect(str(db["NAME"]), timeout=30)
        target = sqlite3.connect(str(path))
        try:
            # the online backup API in one step (pages=-1): one read transaction, so a
            # consistent copy while writers go on in WAL mode
            conn.backup(target, pages=-1)
        except sqlite3.Error as exc:
            raise BackupError(BackupErrorCode.SNAPSHOT, f"SQLite snapshot failed: {exc}"
                              ) from None
        finally:
            target.close()
            conn.close()
        return Snapshot(path, "sqlite", counts_sqlite(path))
    path = into / "database.pgdump"
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise BackupError(BackupErrorCode.SNAPSHOT, "pg_dump is not installed: install the "
                          "PostgreSQL client (same major version as the server or newer)")
    with _pg_connect(db) as conn:
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        exported = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        counts = counts_pg(conn)
        done = subprocess.run(  # noqa: S603 - fixed program, arguments from settings
            [pg_dump, "-Fc", "-Z", "1", "--no-owner", "--no-privileges",
             f"--snapshot={exported}", "-f", str(path), str(db["NAME"])],
            env=_pg_env(db), capture_output=True, text=True, check=False)
        conn.execute("COMMIT")
    if done.returncode:
        raise BackupError(BackupErrorCode.SNAPSHOT, "pg_dump failed: "
                          + (done.stderr.strip().splitlines() or ["?"])[-1][:300])
    return Snapshot(path, "postgresql", counts)


def database_url(db: dict[str, Any], name: str) -> str:
    """A URL for another database on the same server (or another SQLite file)."""
    if engine_of(db) == "sqlite":
        return f"sqlite:///{name}"
    auth = quote(str(db.get("USER") or "postgres"), safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(str(db["PASSWORD"]), safe="")
    return (f"postgres://{auth}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/"
            f"{name}")


def snapshot_load(*, db: dict[str, Any], snapshot: Path, engine: str, name: str,
                  move: bool = False) -> str:
    """Load a snapshot into a NEW database (a file path for SQLite, a database name on the
    same server for PostgreSQL); returns its URL. Refuses to overwrite anything.
    ``move``: a SQLite snapshot file the caller no longer needs is renamed, not copied."""
    if engine != engine_of(db):
        raise BackupError(BackupErrorCode.RESTORE, f"this backup is of a {engine} store; "
                          f"the configured database is {engine_of(db)}")
    if engine == "sqlite":
        target = Path(name)
        if target.exists():
            raise BackupError(BackupErrorCode.RESTORE, f"{target} exists already")
        if move:
            os.rename(snapshot, target)  # same staging folder: one filesystem
        else:
            shutil.copyfile(snapshot, target)
        return database_url(db, str(target))
    try:
        with _pg_connect(db, "postgres", autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.errors.DuplicateDatabase:
        raise BackupError(BackupErrorCode.RESTORE, f"database {name} exists already") from None
    except psycopg.Error as exc:
        raise BackupError(BackupErrorCode.RESTORE, "cannot create a database for the "
                          f"restore: {str(exc).strip().splitlines()[0][:200]}") from None
    pg_restore = shutil.which("pg_restore") or "/usr/bin/pg_restore"
    done = subprocess.run(  # noqa: S603
        [pg_restore, "--no-owner", "--no-privileges", "--exit-on-error", "-d", name,
         str(snapshot)], env=_pg_env(db), capture_output=True, text=True, check=False)
    if done.returncode:
        database_drop(db=db, name=name)
        raise BackupError(BackupErrorCode.RESTORE, "pg_restore failed: "
                          + (done.stderr.strip().splitlines() or ["?"])[-1][:300])
    return database_url(db, name)


def database_drop(*, db: dict[str, Any], name: str) -> None:
    if engine_of(db) == "sqlite":
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(name + suffix).unlink(missing_ok=True)
        return
    with _pg_connect(db, "postgres", autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
            sql.Identifier(name)))


def scratch_name(db: dict[str, Any], directory: Path, label: str) -> str:
    tag = uuid.uuid4().hex[:8]
    if engine_of(db) == "sqlite":
        return str(directory / f"{label}-{tag}.sqlite3")
    return f"{str(db['NAME'])[:40]}_{label}_{tag}"


def database_switch(*, db: dict[str, Any], new: str, keep_as: str) -> None:
    """Make the restored database the store's: the old one is kept under ``keep_as``.

    SQLite: the old file (checkpointed, with its WAL) is renamed aside and the new one
    renamed into place; processes open the new file at their next connection. PostgreSQL:
    sessions on both databases are ended, then two renames (app processes reconnect to
    the same name, now the restored database)."""
    if engine_of(db) == "sqlite":
        live = str(db["NAME"])
        if Path(live).exists():
            conn = sqlite3.connect(live, timeout=30)
            try:
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                conn.close()
            for suffix in ("-wal", "-shm"):
                Path(live + suffix).unlink(missing_ok=True)
            os.replace(live, keep_as)
        os.replace(new, live)
        return
    live = str(db["NAME"])
    with _pg_connect(db, "postgres", autocommit=True) as conn:
        for name in (live, new):
            conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                         "WHERE datname = %s AND pid <> pg_backend_pid()", (name,))
        conn.execute(sql.SQL("ALTER DATABASE {} RENAME TO {}").format(
            sql.Identifier(live), sql.Identifier(keep_as)))
        conn.execute(sql.SQL("ALTER DATABASE {} RENAME TO {}").format(
            sql.Identifier(new), sql.Identifier(live)))

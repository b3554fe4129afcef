"""Database triggers that make the audit tables append-only, per vendor.

The application's own database role can then neither edit nor delete evidence, even
through SQL injection or a buggy bulk ``.update()``; an attacker must be able to drop
triggers (owner/superuser) *and* defeat the hash chain *and* the signed checkpoints
held outside the database.

``triggers_drop``/``triggers_create`` exist for ``flush`` (which empties every table,
the audit log included, on purpose) and for tests simulating such an attacker.
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

TABLES = ("audit_event", "audit_checkpoint")
MESSAGE = "audit records are append-only"

_PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{MESSAGE}: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$
"""


def _sql_create(vendor: str, table: str) -> list[str]:
    if vendor == "postgresql":
        return [
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}"
            " FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()",
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}"
            " FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()",
        ]
    if vendor == "sqlite":
        return [
            f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}"
            f" BEGIN SELECT RAISE(ABORT, '{MESSAGE}: UPDATE on {table} refused'); END",
            f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}"
            f" BEGIN SELECT RAISE(ABORT, '{MESSAGE}: DELETE on {table} refused'); END",
        ]
    raise NotImplementedError(f"no audit triggers for database vendor {vendor!r}")


def _sql_drop(vendor: str, table: str) -> list[str]:
    if vendor == "postgresql":
        return [
            f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
            f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
        ]
    return [
        f"DROP TRIGGER IF EXISTS {table}_no_update",
        f"DROP TRIGGER IF EXISTS {table}_no_delete",
    ]


def triggers_create(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_PG_FUNCTION)
        for table in TABLES:
            for sql in _sql_drop(connection.vendor, table) + _sql_create(connection.vendor, table):
                cursor.execute(sql)


def triggers_drop(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for table in TABLES:
            for sql in _sql_drop(connection.vendor, table):
                cursor.execute(sql)


def triggers_missing(connection: BaseDatabaseWrapper) -> list[str]:
    """Names of expected triggers that are not installed (empty when all is well)."""
    expected = {
        name.split()[2] for table in TABLES for name in _sql_create(connection.vendor, table)
    }
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'D'"
                " AND tgrelid::regclass::text = ANY(%s)",
                [list(TABLES)],
            )
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        present = {row[0] for row in cursor.fetchall()}
    return sorted(expected - present)

"""The query planner's statistics after a bulk load.

PostgreSQL plans from row estimates that ANALYZE gathers; autovacuum refreshes them only
some time after a large change. Until then a table that grew from a few rows to a million
is planned from a guess: after importing a million customers, the console's staff picker
(``WHERE is_staff``, a handful of rows behind a partial index) was estimated at 280,000
rows and run as a parallel, JIT-compiled plan of 64 ms instead of 0.1 ms. PostgreSQL's
manual says to ANALYZE after populating a table ("Populating a Database"); so does every
bulk path here, for the tables it filled. SQLite's equivalent advice is ``PRAGMA optimize``.
"""

from __future__ import annotations

from django.db import connection, models


def statistics_refresh(*tables: type[models.Model]) -> None:
    """Refresh the planner's statistics for the tables of ``tables`` (models), or for
    every table when none is named (a restored database: pg_restore brings no
    statistics)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            names = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in tables)
            cursor.execute(f"ANALYZE {names}".strip())
        elif connection.vendor == "sqlite":
            cursor.execute("PRAGMA optimize")

"""Breach scope over a big audit log (issue 19: "answers in seconds on 10 million events").

The log is grown to 1,000,000 synthetic events (``BENCH_LARGE=1`` on PostgreSQL:
10,000,000) spread over a year, 300 staff actors and 200,000 subjects, one of the
actors being a real staff account (the suspect, about 1/300 of the log). Then
``scope_query`` (what ``strongroom incidents scope --actor EMAIL`` and the incident page
run) is timed over the whole year: the email lookup, the GROUP BY subject and the data
categories. Target <= 2 s.

What makes it fast: the ``audit_event_actor_at`` index on (actor_id, at_us): the query
reads only the suspect's events in the window, whatever the size of the log.
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
import time

TARGET_S = 2.0
LARGE = os.environ.get("BENCH_LARGE") == "1"
YEAR_US = 365 * 86_400 * 1_000_000


def _grow(to: int, suspect: str) -> None:
    from django.db import connection

    from strongroom.protection.audit.models import AuditEntry

    have = AuditEntry.objects.count()
    # One event in 300 is the suspect's. A log another suite already grew (the console
    # lists' synthetic events name other actors) gets only the suspect's share added.
    n, every = (to - have, 300) if have < to else (to // 300, 1)
    start_seq = 10**12 + have
    now_us = int(time.time() * 1_000_000)
    step = YEAR_US // n
    if connection.vendor == "postgresql":
        sql = (
            "INSERT INTO audit_event (chain, seq, at_us, event, actor_type, actor_id, "
            "subject_id, object_type, object_id, fields, reason, request_id, origin_id, "
            "digest) SELECT 15, %s + g, %s - (g::bigint * %s), 2002, 3, "
            "CASE WHEN g %% %s = 0 THEN %s ELSE 'staff-' || (g %% 300) END, "
            "md5((g %% 200000)::text)::uuid::text, 'accounts.user', '', 'email', '', '', '', "
            "repeat('0', 64) FROM generate_series(1, %s) AS g")
        params = (start_seq, now_us, step, every, suspect, n)
    else:
        sql = (
            "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < %s) "
            "INSERT INTO audit_event (chain, seq, at_us, event, actor_type, actor_id, "
            "subject_id, object_type, object_id, fields, reason, request_id, origin_id, "
            "digest) SELECT 15, %s + n, %s - (n * %s), 2002, 3, "
            "CASE WHEN n %% %s = 0 THEN %s ELSE 'staff-' || (n %% 300) END, "
            "printf('%%08x-0000-4000-8000-%%012x', n %% 200000, n %% 200000), "
            "'accounts.user', '', 'email', '', '', '', substr(hex(zeroblob(32)), 1, 64) FROM g")
        params = (n, start_seq, now_us, step, every, suspect)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        cursor.execute("ANALYZE audit_event" if connection.vendor == "postgresql" else "ANALYZE")


def report() -> list[str]:
    from django.db import connection
    from django.utils import timezone

    from strongroom.protection.access.roles import Role
    from strongroom.protection.incidents.scope import ScopeQuery, scope_query
    from strongroom.testing.staff import staff_make

    suspect = staff_make(Role.SUPPORT)
    size = 10_000_000 if (LARGE and connection.vendor == "postgresql") else 1_000_000
    _grow(size, str(suspect.pk))
    now = timezone.now()
    query = ScopeQuery("actor", suspect.email, now - dt.timedelta(days=366),
                       now + dt.timedelta(minutes=1))
    found = scope_query(query=query)  # warm
    times = []
    for _ in range(5):
        start = time.perf_counter()
        found = scope_query(query=query)
        times.append(time.perf_counter() - start)
    median = statistics.median(times)
    vendor = "PostgreSQL" if connection.vendor == "postgresql" else "SQLite"
    events = sum(a.events for a in found)
    verdict = "ok" if median <= TARGET_S else "BELOW TARGET"
    return [f"breach scope, one staff account over a year ({vendor}, {size:,} events; "
            f"{len(found):,} customers, {events:,} of its events): {median:.3f} s "
            f"(median of 5; target <= {TARGET_S:g} s)  {verdict}",
            "index: audit_event_actor_at (actor_id, at_us)"]

"""The check a scratch or restored database gets, run INSIDE the child process that
points at it (``backup_selfcheck``, ``backup_restore_finish``). Counts are taken first,
before the check writes anything. No value is ever reported, only counts."""

from __future__ import annotations

import uuid
from typing import Any

from django.apps import apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from strongroom.protection.audit.selectors import audit_verify
from strongroom.protection.vault.errors import DecryptionError
from strongroom.protection.vault.fields import ERASED, EncryptedField
from strongroom.protection.vault.selectors import subject_is_erased

SAMPLE = 25  # rows per model with encrypted fields


def table_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        return {t: cursor.execute(
            f"SELECT COUNT(*) FROM {connection.ops.quote_name(t)}").fetchone()[0]  # noqa: S608
            for t in sorted(tables)}


def selfcheck_report(*, subject: str = "") -> dict[str, Any]:
    report: dict[str, Any] = {"counts": table_counts()}
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    report["migrations_pending"] = [f"{m.app_label}.{m.name}" for m, _ in plan]
    verified = audit_verify(workers=1)
    report["audit_ok"] = verified.ok
    report["audit_events"] = verified.events
    report["audit_problems"] = [p.message for p in verified.problems[:3]]
    report["audit_gaps"] = [gap.summary for gap in verified.gaps]
    ok = erased = failed = 0
    for model in apps.get_models():
        fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedField)]
        if not fields:
            continue
        for obj in model._base_manager.order_by("-pk")[:SAMPLE]:
            for field in fields:
                try:
                    value = getattr(obj, field.name)
                except DecryptionError:
                    failed += 1
                    continue
                if value is ERASED:
                    erased += 1
                elif value not in (None, ""):
                    ok += 1
    report.update(decrypted=ok, erased=erased, decrypt_failed=failed)
    if subject:
        report["subject_erased"] = subject_is_erased(subject_id=uuid.UUID(subject))
    return report

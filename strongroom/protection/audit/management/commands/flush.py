"""``flush`` empties every table on purpose, the audit log included: the append-only
triggers are lifted for that and put back afterwards (also if the flush fails).
Tests' transactional teardown uses this command. The signed checkpoints outside the
database still show the log was emptied: `strongroom audit verify` reports it."""

from __future__ import annotations

from typing import Any

from django.core.management.commands.flush import Command as FlushCommand
from django.db import connections

from strongroom.protection.audit.internal.chain import heads_ensure
from strongroom.protection.audit.internal.triggers import triggers_create, triggers_drop


class Command(FlushCommand):
    def handle(self, **options: Any) -> None:
        connection = connections[options["database"]]
        installed = "audit_event" in connection.introspection.table_names()
        if installed:
            triggers_drop(connection)
        try:
            super().handle(**options)
        finally:
            if installed:
                triggers_create(connection)
                if options["database"] == "default":
                    heads_ensure()

"""Audit system checks. Stable IDs:
  audit.E001  the append-only triggers are missing or disabled (database check)
  audit.E002  an event type lies outside its domain's numeric range
  audit.E003  the audit signing key is unreadable or readable by other users
  audit.W001  no audit signing key yet: checkpoints cannot be signed (`strongroom init`;
              a deployment check)
  audit.W002  AuditContextMiddleware is not installed: events lack IP and request id
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks
from django.db import DatabaseError, connections

from strongroom.protection.audit.events import events_misplaced
from strongroom.protection.audit.internal.triggers import triggers_missing
from strongroom.protection.vault.errors import KeyConfigError
from strongroom.protection.vault.signing import signing_key_exists, signing_key_load

MIDDLEWARE = "strongroom.protection.audit.context.AuditContextMiddleware"


@checks.register(checks.Tags.database)
def check_triggers(app_configs: Any = None, databases: Any = None, **kwargs: Any) -> list:
    errors = []
    for alias in databases or []:
        connection = connections[alias]
        try:
            if "audit_event" not in connection.introspection.table_names():
                continue
            missing = triggers_missing(connection)
        except DatabaseError:  # unreachable: `check` judges code and settings, not servers
            continue
        if missing:
            errors.append(checks.Error(
                f"audit log triggers missing or disabled on database {alias!r}: "
                f"{', '.join(missing)}",
                hint="the audit log is not append-only: reinstall them with "
                "`strongroom audit triggers`, then run `strongroom audit verify`",
                id="audit.E001",
            ))
    return errors


@checks.register(checks.Tags.security)
def check_events(app_configs: Any = None, **kwargs: Any) -> list:
    return [
        checks.Error(f"AuditEvent.{e.name} = {e.value} is outside every domain range",
                     id="audit.E002")
        for e in events_misplaced()
    ]


@checks.register(checks.Tags.security, deploy=True)
def check_signing_key(app_configs: Any = None, **kwargs: Any) -> list:
    data_dir = settings.STRONGROOM_DATA_DIR
    if not signing_key_exists(data_dir=data_dir):
        return [checks.Warning(
            "no audit signing key: audit checkpoints cannot be signed",
            hint="run `strongroom init`", id="audit.W001",
        )]
    try:
        signing_key_load(data_dir=data_dir)
    except KeyConfigError as exc:
        return [checks.Error(str(exc), id="audit.E003")]
    return []


@checks.register(checks.Tags.security)
def check_middleware(app_configs: Any = None, **kwargs: Any) -> list:
    if MIDDLEWARE in settings.MIDDLEWARE:
        return []
    return [checks.Warning(
        "audit events will not record the request id and client address",
        hint=f"add {MIDDLEWARE!r} to MIDDLEWARE", id="audit.W002",
    )]

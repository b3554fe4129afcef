"""Refuse to migrate when a migration renames encrypted data without re-encrypting it.

A ``RenameField`` of an encrypted field, a ``RenameModel`` of a model with encrypted
fields, or a model adopted from another app (``SeparateDatabaseAndState`` creating it in
state only) changes the column context every stored ciphertext is bound to: after
``migrate`` each value raises DecryptionError. Data loss, silently, on deploy. The
matching operation from ``vault.operations`` must sit in the same migration.

Why a ``pre_migrate`` receiver and not a system check over the migration graph:
* it sees exactly the plan about to run, in its direction (unapplying a rename
  re-binds the data too), and only that plan, so old migrations cost nothing;
* it runs before anything is applied, so a refusal leaves the database untouched;
* it cannot be skipped (``migrate --skip-checks``) or silenced
  (``SILENCED_SYSTEM_CHECKS``), and it is the same path for ``manage.py migrate``,
  ``strongroom migrate`` in CI and deploys, and the test database set-up.
The gap: code driving ``MigrationExecutor`` directly emits no signal; nothing in
Strongroom does.
"""

from __future__ import annotations

from typing import Any

from django.db import connections
from django.db.migrations import CreateModel, Migration, RenameField, RenameModel
from django.db.migrations import SeparateDatabaseAndState as Separate
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.state import ProjectState

from strongroom.protection.vault.fields import EncryptedField
from strongroom.protection.vault.operations import EncryptedRenameError, ReencryptOperation

_IMPORT = "from strongroom.protection.vault.operations import {names}"


def on_pre_migrate(*, using: str, plan: list[tuple[Migration, bool]] | None = None,
                   **kwargs: Any) -> None:
    if plan:
        migration_plan_check(plan=plan, using=using)


def migration_plan_check(*, plan: list[tuple[Migration, bool]], using: str) -> None:
    """Raise EncryptedRenameError naming the first migration of ``plan`` that is unsafe."""
    loader: MigrationLoader | None = None
    for migration, _backwards in plan:
        if not any(_may_rebind(op) for op in migration.operations):
            continue  # the common case: no project state needed
        if loader is None:
            loader = MigrationLoader(connections[using])
        state = loader.project_state((migration.app_label, migration.name), at_end=False)
        missing = missing_operations(migration, state)
        if missing:
            raise EncryptedRenameError(_message(migration, missing))


def _may_rebind(op: Any) -> bool:
    if isinstance(op, RenameField | RenameModel):
        return True
    return isinstance(op, Separate) or any(_may_rebind(o) for o in _state_ops(op))


def _state_ops(op: Any) -> list[Any]:
    return list(getattr(op, "state_operations", None) or ())


def missing_operations(migration: Migration, state: ProjectState) -> list[str]:
    """The vault operations ``migration`` lacks, as the code to add (empty: safe).

    ``state`` is the project state before the migration; it is advanced as the
    operations are walked, so each rename is judged on the model as it is then.
    """
    app = migration.app_label
    needed: list[tuple[tuple[str, ...], str]] = []
    adopted: list[str] = []
    provided: set[tuple[str, ...]] = set()

    def walk(ops: list[Any]) -> None:
        for op in ops:
            if isinstance(op, ReencryptOperation):
                provided.add(op.provides(app))
            elif isinstance(op, Separate):
                ours = [o for o in op.database_operations if isinstance(o, ReencryptOperation)]
                provided.update(o.provides(app) for o in ours)
                adopted.extend(_adopted(op))
                walk(op.state_operations)
            elif _state_ops(op):
                walk(_state_ops(op))
            else:
                need = _needs(app, op, state)
                if need is not None:
                    needed.append(need)
                op.state_forwards(app, state)

    walk(list(migration.operations))
    missing = [hint for key, hint in needed if key not in provided]
    moved = {(p[3], p[4]) for p in provided if p[0] == "model"}
    missing += [
        f'ReencryptRenamedModel("<old model name>", "{name}", old_app_label="<old app>")'
        for name in adopted
        if (app, name.lower()) not in moved
    ]
    return missing


def _needs(app: str, op: Any, state: ProjectState) -> tuple[tuple[str, ...], str] | None:
    """(what must be provided, the code that provides it) if ``op`` re-binds encrypted data."""
    if isinstance(op, RenameField):
        model = state.models.get((app, op.model_name_lower))
        if model is not None and isinstance(model.fields.get(op.old_name), EncryptedField):
            return (
                ("field", app, op.model_name_lower, op.old_name, op.new_name),
                f'ReencryptRenamedField("{op.model_name}", "{op.old_name}", "{op.new_name}")',
            )
    if isinstance(op, RenameModel):
        model = state.models.get((app, op.old_name_lower))
        if model is not None and _encrypted(model.fields.values()):
            return (
                ("model", app, op.old_name_lower, app, op.new_name_lower),
                f'ReencryptRenamedModel("{op.old_name}", "{op.new_name}")',
            )
    return None


def _adopted(op: Separate) -> list[str]:
    """Models with encrypted fields that ``op`` creates in the state but not the database:
    their table exists already, full of values bound to another model label."""
    created = {o.name_lower for o in op.database_operations if isinstance(o, CreateModel)}
    return [
        o.name
        for o in op.state_operations
        if isinstance(o, CreateModel)
        and o.name_lower not in created
        and _encrypted(field for _, field in o.fields)
    ]


def _encrypted(fields: Any) -> bool:
    return any(isinstance(field, EncryptedField) for field in fields)


def _message(migration: Migration, missing: list[str]) -> str:
    names = sorted({line.split("(", 1)[0] for line in missing})
    lines = "\n".join(f"    {line}," for line in missing)
    return (
        f"migration {migration.app_label}.{migration.name} renames encrypted data without "
        "re-encrypting it: every stored value would become unreadable (ciphertexts are "
        "bound to their model and field name). Nothing was migrated. Add to that "
        f"migration's operations, right after the rename:\n{lines}\n"
        f"({_IMPORT.format(names=', '.join(names))})"
    )

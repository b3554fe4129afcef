"""The rename guard's judgement of a migration's operations (no database needed), and
the operations' serialization (so makemigrations/squashmigrations can write them)."""

from __future__ import annotations

import pytest
from django.db import migrations, models
from django.db.migrations.state import ProjectState
from django.db.migrations.writer import MigrationWriter

from strongroom.protection.vault.internal.renameguard import missing_operations
from strongroom.protection.vault.operations import ReencryptRenamedField, ReencryptRenamedModel
from strongroom.protection.vault.tests.renames.initial import holder_fields


def _state() -> ProjectState:
    state = ProjectState()
    migrations.CreateModel("Holder", fields=holder_fields()).state_forwards("shop", state)
    migrations.CreateModel(
        "Plain", fields=[("id", models.AutoField(primary_key=True)), ("name", models.TextField())]
    ).state_forwards("shop", state)
    return state


def _missing(*operations) -> list[str]:
    migration = migrations.Migration("0002_change", "shop")
    migration.operations = list(operations)
    return missing_operations(migration, _state())


def test_renaming_an_encrypted_field_needs_the_field_operation() -> None:
    rename = migrations.RenameField("holder", "secret", "motto")
    assert _missing(rename) == ['ReencryptRenamedField("holder", "secret", "motto")']
    assert _missing(rename, ReencryptRenamedField("Holder", "secret", "motto")) == []
    # the wrong field, or the wrong direction, does not count
    assert _missing(rename, ReencryptRenamedField("holder", "note", "motto")) != []
    assert _missing(rename, ReencryptRenamedField("holder", "motto", "secret")) != []


def test_renaming_a_model_with_encrypted_fields_needs_the_model_operation() -> None:
    rename = migrations.RenameModel("Holder", "Keeper")
    assert _missing(rename) == ['ReencryptRenamedModel("Holder", "Keeper")']
    assert _missing(rename, ReencryptRenamedModel("Holder", "Keeper")) == []
    # a field op for the model's new name does not cover the model's other fields
    assert _missing(rename, ReencryptRenamedField("keeper", "secret", "secret")) != []


def test_each_rename_is_judged_on_the_model_as_it_is_then() -> None:
    # model renamed first, then its field: two operations, under the names of their time
    ops = [
        migrations.RenameModel("Holder", "Keeper"),
        migrations.RenameField("keeper", "secret", "motto"),
    ]
    assert _missing(*ops) == [
        'ReencryptRenamedModel("Holder", "Keeper")',
        'ReencryptRenamedField("keeper", "secret", "motto")',
    ]
    fixed = [
        ops[0], ReencryptRenamedModel("Holder", "Keeper"),
        ops[1], ReencryptRenamedField("keeper", "secret", "motto"),
    ]
    assert _missing(*fixed) == []


def test_plaintext_renames_need_nothing() -> None:
    assert _missing(
        migrations.RenameField("holder", "plain", "plain_text"),
        migrations.RenameField("plain", "name", "title"),
        migrations.RenameModel("Plain", "Open"),
        migrations.RenameField("holder", "subject", "owner"),  # the AAD does not name it
    ) == []


def test_a_state_only_rename_is_caught_too() -> None:
    # Keeping the column (db_column) does not help: the AAD names the field, not the column.
    sneaky = migrations.SeparateDatabaseAndState(
        state_operations=[migrations.RenameField("holder", "secret", "motto")]
    )
    assert _missing(sneaky) == ['ReencryptRenamedField("holder", "secret", "motto")']
    assert _missing(sneaky, ReencryptRenamedField("holder", "secret", "motto")) == []


def test_adopting_an_encrypted_model_from_another_app_needs_the_model_operation() -> None:
    adopt = migrations.SeparateDatabaseAndState(
        state_operations=[
            migrations.CreateModel("Customer", fields=holder_fields(),
                                   options={"db_table": "crm_client"})
        ]
    )
    assert _missing(adopt) == [
        'ReencryptRenamedModel("<old model name>", "Customer", old_app_label="<old app>")'
    ]
    assert _missing(adopt, ReencryptRenamedModel("Client", "Customer", old_app_label="crm")) == []
    created = migrations.SeparateDatabaseAndState(
        state_operations=[migrations.CreateModel("Customer", fields=holder_fields())],
        database_operations=[migrations.CreateModel("Customer", fields=holder_fields())],
    )
    assert _missing(created) == []  # a new, empty table: nothing to re-encrypt


def test_operations_serialize_for_migration_files() -> None:
    for op in (
        ReencryptRenamedField("holder", "secret", "motto", batch_size=100),
        ReencryptRenamedModel("Client", "Customer", old_app_label="crm"),
    ):
        text, imports = MigrationWriter.serialize(op)
        assert "import strongroom.protection.vault.operations" in imports
        namespace: dict = {}
        exec("\n".join([*imports, f"op = {text}"]), namespace)  # noqa: S102 - our own output
        again = namespace["op"]
        assert type(again) is type(op) and MigrationWriter.serialize(again)[0] == text
        assert again.provides("shop") == op.provides("shop")
        assert again.batch_size == op.batch_size


def test_batch_size_is_bounded() -> None:
    with pytest.raises(ValueError, match="batch_size"):
        ReencryptRenamedField("holder", "secret", "motto", batch_size=0)

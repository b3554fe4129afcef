"""Renaming an encrypted field or its model: re-encrypted by the vault operations, and
refused by ``migrate`` when the migration forgets them.

Each test installs the throwaway ``renames`` app with one scenario's migrations and runs
the real ``migrate`` command (so the ``pre_migrate`` guard is on the path), then reads the
rows back through the historical models, i.e. through the real encrypted fields.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.commands.migrate import Command as MigrateCommand
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.test.utils import modify_settings, override_settings

from strongroom.protection.vault import services
from strongroom.protection.vault.fields import ERASED, Sealed
from strongroom.protection.vault.internal import renames, runtime
from strongroom.protection.vault.models import DataKey
from strongroom.protection.vault.operations import EncryptedRenameError

APP, MOVED = "vault_renames", "vault_renames_moved"
PACKAGE = "strongroom.protection.vault.tests.renames"
TABLES = ("vault_renames_holder", "vault_renames_keeper")

pytestmark = pytest.mark.django_db(transaction=True)


class Killed(Exception):
    """A process killed mid-migration."""


@pytest.fixture
def scenario(vault_dir, transactional_db) -> Iterator[Callable[..., None]]:
    """Install the throwaway app(s) with a scenario's migrations; remove every trace after."""
    services.vault_init()
    active: list = []

    def install(migrations: str, *, moved: bool = False) -> None:
        modules = {APP: f"{PACKAGE}.{migrations}"}
        installed = [PACKAGE]
        if moved:
            modules[MOVED] = f"{PACKAGE}.moved.migrations_in"
            installed.append(f"{PACKAGE}.moved")
        for override in (
            modify_settings(INSTALLED_APPS={"append": installed}),
            override_settings(MIGRATION_MODULES=modules),
        ):
            override.enable()
            active.append(override)

    yield install
    try:
        with connection.cursor() as cursor:
            for table in TABLES:
                cursor.execute(f"DROP TABLE IF EXISTS {connection.ops.quote_name(table)}")
        MigrationRecorder.Migration.objects.filter(app__in=[APP, MOVED]).delete()
    finally:
        for override in reversed(active):
            override.disable()


def _migrate(target: str = "", app: str = APP) -> None:
    call_command("migrate", app, *([target] if target else []), verbosity=0)


def _model(node: tuple[str, str], name: str = "Holder", app: str = APP):
    """The model as it is at the end of migration ``node`` (its fields really decrypt)."""
    return MigrationLoader(connection).project_state(node).apps.get_model(app, name)


def _fill(model, count: int = 5) -> dict[uuid.UUID, tuple[str, str]]:
    """``count`` live rows, one with a NULL secret and one whose subject is shredded."""
    rows = {}
    for i in range(count):
        subject = services.subject_create()
        row = model.objects.create(subject_id=subject.id, secret=f"secret {i}", note=f"n{i}")
        rows[row.pk] = (f"secret {i}", f"n{i}")
    subject = services.subject_create()
    rows[model.objects.create(subject_id=subject.id, secret=None, note="x").pk] = (None, "x")
    gone = services.subject_create()
    rows[model.objects.create(subject_id=gone.id, secret="gone", note="gone").pk] = (
        ERASED, ERASED,
    )
    services.subject_shred(subject_id=gone.id)
    return rows


def _read(model, secret: str = "secret") -> dict[uuid.UUID, tuple[str, str]]:
    runtime.keystore().forget_all()  # decrypt from the database, not a warm cache
    return {row.pk: (getattr(row, secret), row.note) for row in model.objects.all()}


def _raw(model, column: str) -> dict[uuid.UUID, bytes | None]:
    return {
        pk: None if value is None else bytes(value)
        for pk, value in model._base_manager.values_list("pk", column)
    }


def _columns(table: str) -> set[str]:
    with connection.cursor() as cursor:
        return {c.name for c in connection.introspection.get_table_description(cursor, table)}


def _applied() -> set[str]:
    return set(MigrationRecorder.Migration.objects.filter(app=APP).values_list("name", flat=True))


def _kill_after_first_batch():
    real, calls = renames.reseal_batch, {"n": 0}

    def batch(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] > 1:
            raise Killed()
        return real(*args, **kwargs)

    return mock.patch.object(renames, "reseal_batch", batch)


# --- with the operation: the data survives the rename -------------------------------------


def test_rename_field_reencrypts_under_the_same_subject_keys(scenario) -> None:
    scenario("migrations_ok")
    _migrate("0001_initial")
    holder = _model((APP, "0001_initial"))
    rows = _fill(holder)
    before = _raw(holder, "secret")
    keys = set(DataKey.objects.values_list("id", flat=True))

    _migrate("0002_rename_field")

    after = _read(_model((APP, "0002_rename_field")), "motto")
    assert after == rows
    raw = _raw(_model((APP, "0002_rename_field")), "motto")
    for pk, blob in before.items():
        if blob is None or rows[pk][0] is ERASED:
            assert raw[pk] == blob  # NULL stays NULL; a shredded subject's value untouched
        else:
            assert raw[pk] != blob and raw[pk][:9] == blob[:9]  # same key id in the header
    assert set(DataKey.objects.values_list("id", flat=True)) == keys  # no key made or lost


def test_rename_model_reencrypts_every_encrypted_field(scenario) -> None:
    scenario("migrations_ok")
    _migrate("0001_initial")
    rows = _fill(_model((APP, "0001_initial")))
    _migrate("0003_rename_model")
    assert _read(_model((APP, "0003_rename_model"), "Keeper"), "motto") == rows


def test_reverse_migration_reencrypts_back(scenario) -> None:
    scenario("migrations_ok")
    _migrate("0001_initial")
    rows = _fill(_model((APP, "0001_initial")))
    _migrate()
    keeper = _model((APP, "0003_rename_model"), "Keeper")
    subject = services.subject_create()  # written by the code that knows the new names
    late = keeper.objects.create(subject_id=subject.id, motto="late", note="late")
    rows[late.pk] = ("late", "late")

    _migrate("0001_initial")

    assert _applied() == {"0001_initial"}
    assert _read(_model((APP, "0001_initial"))) == rows


def test_move_to_another_app_reencrypts_for_the_new_label(scenario) -> None:
    scenario("migrations_move_out", moved=True)
    _migrate("0001_initial")
    rows = _fill(_model((APP, "0001_initial")))
    _migrate()
    adopted = _model((MOVED, "0001_adopt"), app=MOVED)
    assert adopted._meta.label == f"{MOVED}.Holder"
    assert _read(adopted) == rows
    _migrate("zero", app=MOVED)  # and back: unapplies the adoption and the hand-over
    assert _applied() == {"0001_initial"}
    assert _read(_model((APP, "0001_initial"))) == rows


# --- without it: migrate refuses, and nothing changes ------------------------------------


def test_rename_without_the_operation_is_refused_before_anything_changes(scenario) -> None:
    scenario("migrations_missing")
    _migrate("0001_initial")
    holder = _model((APP, "0001_initial"))
    rows = _fill(holder)
    before = _raw(holder, "secret")

    with pytest.raises(EncryptedRenameError) as refused:
        _migrate()

    message = str(refused.value)
    assert "migration vault_renames.0002_rename_field renames encrypted data" in message
    assert 'ReencryptRenamedField("holder", "secret", "motto"),' in message
    assert "from strongroom.protection.vault.operations import ReencryptRenamedField" in message
    assert "Nothing was migrated" in message
    assert _applied() == {"0001_initial"}
    assert "secret" in _columns("vault_renames_holder")
    assert _raw(holder, "secret") == before
    assert _read(holder) == rows


def test_unapplying_such_a_rename_is_refused_too(scenario) -> None:
    scenario("migrations_missing")
    _migrate("0001_initial")
    recorder = MigrationRecorder(connection)
    recorder.record_applied(APP, "0002_rename_field")  # as if applied before the guard
    with pytest.raises(EncryptedRenameError, match="0002_rename_field"):
        _migrate("0001_initial")
    assert _applied() == {"0001_initial", "0002_rename_field"}
    recorder.record_unapplied(APP, "0002_rename_field")


def test_the_command_line_prints_one_error_and_exits_1(scenario, capsys) -> None:
    scenario("migrations_missing")
    _migrate("0001_initial")
    with pytest.raises(SystemExit) as exited:
        MigrateCommand().run_from_argv(["strongroom", "migrate", APP, "--skip-checks"])
    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith("EncryptedRenameError: migration vault_renames.0002_rename_field")
    assert "Traceback" not in err
    assert _applied() == {"0001_initial"}


# --- killed halfway, tampered data -------------------------------------------------------


def test_killed_halfway_in_an_atomic_migration_changes_nothing_and_reruns(scenario) -> None:
    scenario("migrations_ok")
    _migrate("0001_initial")
    holder = _model((APP, "0001_initial"))
    rows = _fill(holder)
    before = _raw(holder, "secret")

    with _kill_after_first_batch(), pytest.raises(Killed):
        _migrate("0002_rename_field")
    assert _applied() == {"0001_initial"}  # rolled back with the rename
    assert _raw(holder, "secret") == before
    assert _read(holder) == rows

    _migrate("0002_rename_field")
    assert _read(_model((APP, "0002_rename_field")), "motto") == rows


def test_killed_halfway_in_a_non_atomic_migration_resumes(scenario) -> None:
    scenario("migrations_nonatomic")
    _migrate("0001_initial")
    holder = _model((APP, "0001_initial"))
    rows = _fill(holder)
    before = _raw(holder, "secret")

    with _kill_after_first_batch(), pytest.raises(Killed):
        _migrate("0002_rename_field")
    assert _applied() == {"0001_initial"}
    halfway = _raw(holder, "secret")
    done = {pk for pk, blob in halfway.items() if blob != before[pk]}
    assert 1 <= len(done) <= 2  # the first batch (of 2) was committed, the rest not
    assert len(done) < sum(1 for v in rows.values() if v[0] not in (None, ERASED))

    _migrate("0002_rename_field")
    renamed = _model((APP, "0002_rename_field"))
    assert _read(renamed, "motto") == rows
    final = _raw(renamed, "motto")
    assert all(final[pk] == halfway[pk] for pk in done)  # resumed: the done ones skipped


def test_a_value_that_decrypts_under_neither_name_stops_the_migration(scenario) -> None:
    scenario("migrations_ok")
    _migrate("0001_initial")
    holder = _model((APP, "0001_initial"))
    rows = _fill(holder)
    first, second = [pk for pk, v in rows.items() if v[0] not in (None, ERASED)][:2]
    stolen = holder._base_manager.get(pk=first).__dict__["secret"]
    holder._base_manager.filter(pk=second).update(secret=Sealed(stolen))  # moved ciphertext
    before = _raw(holder, "secret")

    with pytest.raises(EncryptedRenameError, match=f"row {second} decrypts under neither"):
        _migrate("0002_rename_field")
    assert _applied() == {"0001_initial"}
    assert _raw(holder, "secret") == before  # never rewritten, never dropped


def test_a_row_the_store_changes_meanwhile_is_not_overwritten(scenario) -> None:
    scenario("migrations_ok")
    _migrate("0001_initial")
    rows = _fill(_model((APP, "0001_initial")))
    renamed = _model((APP, "0002_rename_field"))
    real, seen = renames._resealed, []

    def racing(key, blob, column, pk):
        fresh = real(key, blob, column, pk)
        if not seen:  # the new code saves this row between our read and our write
            seen.append(pk)
            row = renamed.objects.only("subject", "motto").get(pk=pk)  # plain: not renamed yet
            row.motto = "changed meanwhile"
            row.save(update_fields=["motto"])
        return fresh

    with mock.patch.object(renames, "_resealed", racing):
        _migrate("0002_rename_field")

    rows[seen[0]] = ("changed meanwhile", rows[seen[0]][1])
    assert _read(_model((APP, "0002_rename_field")), "motto") == rows

"""The database itself refuses to change or remove audit records (SQLite and PostgreSQL)."""

import pytest
from django.db import DatabaseError, connection, transaction

from strongroom.protection.audit.internal.triggers import triggers_missing
from strongroom.protection.audit.models import AuditEntry

from .conftest import record_many, sql

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("statement", [
    "UPDATE audit_event SET reason = 'nothing to see'",
    "DELETE FROM audit_event",
    "UPDATE audit_checkpoint SET signature = 'x'",
    "DELETE FROM audit_checkpoint",
])
def test_raw_sql_update_and_delete_are_refused(statement, audit_dir):
    from strongroom.protection.audit.services import audit_checkpoint_create

    record_many(3)
    audit_checkpoint_create()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        sql(statement)
    assert AuditEntry.objects.filter(reason="nothing to see").count() == 0
    assert AuditEntry.objects.count() == 3


def test_orm_update_and_delete_are_refused():
    record_many(1)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.update(reason="x")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.all().delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL's")
def test_truncate_is_refused_on_postgresql():
    record_many(1)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        sql("TRUNCATE audit_event")


def test_triggers_installed_and_checked(attacker):
    from strongroom.protection.audit.checks import check_triggers

    # `attacker` dropped them: the system check names what is missing.
    assert triggers_missing(connection)
    errors = check_triggers(databases=["default"])
    assert [e.id for e in errors] == ["audit.E001"]


def test_triggers_present_after_migrate():
    from strongroom.protection.audit.checks import check_triggers

    assert triggers_missing(connection) == []
    assert check_triggers(databases=["default"]) == []

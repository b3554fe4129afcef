from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection, transaction
from django.test import override_settings

from strongroom.protection.audit.events import Actor, AuditEvent
from strongroom.protection.audit.internal.triggers import triggers_drop
from strongroom.protection.audit.services import audit_record
from strongroom.protection.vault.signing import signing_key_ensure


@pytest.fixture
def audit_dir(tmp_path: Path):
    """A data directory of the test's own (signing key, checkpoint file), so checkpoints
    written by one test never meet another test's rolled-back events."""
    data_dir = tmp_path / "var"
    signing_key_ensure(data_dir=data_dir)
    with override_settings(STRONGROOM_DATA_DIR=data_dir):
        yield data_dir


def record_many(n: int, **kwargs) -> list:
    out = []
    for i in range(n):
        with transaction.atomic():
            out.append(audit_record(
                event=kwargs.get("event", AuditEvent.CUSTOMER_VIEWED),
                actor=kwargs.get("actor", Actor.system("test")),
                object=("test.thing", str(i)), reason=f"event {i}",
            ))
    return out


@pytest.fixture
def attacker():
    """What a database superuser can do: lift the append-only triggers. Inside the
    test's transaction, so the rollback at the end puts them back."""
    triggers_drop(connection)
    return connection


def sql(statement: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, list(params))


@pytest.fixture(autouse=True)
def _no_pending_failures():
    """Decryption failures left pending by a test (its transaction rolled back) belong to
    that test; they must not be recorded into the next test's log."""
    from strongroom.protection.audit.internal.pending import pending_clear

    pending_clear()
    yield
    pending_clear()

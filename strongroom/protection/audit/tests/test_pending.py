"""A decryption failure reaches the audit log even when the transaction it happened in
rolls back (issue 3: failures are "recorded in the audit log"). The attack: tamper with
a row that a service reads inside ``atomic()``; the DecryptionError leaving the block
rolls back the event written with it. Real transactions throughout
(``transaction=True``), on SQLite and PostgreSQL."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading

import pytest
from django.contrib.auth.signals import user_login_failed
from django.core.management import call_command
from django.db import OperationalError, connection, transaction
from django.http import HttpRequest, HttpResponse
from django.test import override_settings
from django.urls import path

from strongroom.protection.audit import selectors
from strongroom.protection.audit.events import ActorType, AuditEvent
from strongroom.protection.audit.internal import pending
from strongroom.protection.audit.models import AuditEntry
from strongroom.protection.vault import services
from strongroom.protection.vault.errors import DecryptionError
from strongroom.protection.vault.models import Probe
from strongroom.protection.vault.signing import signing_key_ensure
from strongroom.urls import handler500  # noqa: F401 - this module is a URLconf in one test

pytestmark = pytest.mark.django_db(transaction=True)


class Boom(Exception):
    pass


@pytest.fixture
def tampered() -> Probe:
    """A row whose ``name`` holds another row's ciphertext (a moved value: AAD mismatch)."""
    subject = services.subject_create()
    victim = Probe.objects.create(subject=subject, name="Alice Liddell", email="a@example.com")
    other = Probe.objects.create(subject=subject, name="Mallory", email="m@example.com")
    raw = Probe.objects.filter(pk=victim.pk).values_list("name", flat=True).get()
    Probe.objects.filter(pk=other.pk).update(name=raw)
    return other


def failures(row: Probe | None = None) -> list[AuditEntry]:
    found = AuditEntry.objects.filter(event=AuditEvent.DECRYPTION_FAILED).order_by("id")
    if row is not None:
        found = found.filter(object_type="vault.Probe", object_id=str(row.pk))
    return list(found)


def read(row: Probe) -> None:
    Probe.objects.get(pk=row.pk).name  # noqa: B018 - the read is the point


def read_in_rolled_back_transaction(row: Probe, times: int = 1) -> None:
    """A service's shape: the read fails inside atomic() and the error leaves the block."""
    with pytest.raises(DecryptionError), transaction.atomic():
        for _ in range(times - 1):
            with pytest.raises(DecryptionError):
                read(row)
        read(row)


def test_a_rolled_back_read_is_recorded_exactly_once_after_the_flush(tampered):
    read_in_rolled_back_transaction(tampered)
    assert failures() == []  # rolled back with the transaction...
    assert pending.pending_count() == 1  # ...but not forgotten
    assert pending.failures_flush() == 1
    [entry] = failures(tampered)
    assert entry.fields == "name" and entry.subject_id == str(tampered.subject_id)
    assert (entry.actor_type, entry.actor_id) == (ActorType.SYSTEM, "vault")
    assert entry.reason == pending.LATE_REASON
    assert entry.origin_id == ""  # no IP kept in memory, none borrowed from a later request
    assert pending.pending_count() == 0
    assert pending.failures_flush() == 0
    assert len(failures()) == 1


def test_a_committed_read_is_recorded_once_not_twice(tampered):
    with transaction.atomic():
        with pytest.raises(DecryptionError):
            read(tampered)
        assert pending.pending_count() == 1  # not known durable until the commit
    assert pending.pending_count() == 0
    assert pending.failures_flush() == 0
    [entry] = failures(tampered)
    assert entry.reason == ""


def test_committed_but_its_on_commit_callback_skipped_is_still_not_recorded_twice(tampered):
    """An earlier on_commit callback raising stops Django's loop: our drop never runs.
    The row did commit; the flush looks before it writes."""
    def broken() -> None:
        raise Boom

    with pytest.raises(Boom), transaction.atomic():
        transaction.on_commit(broken)
        with pytest.raises(DecryptionError):
            read(tampered)
    assert len(failures(tampered)) == 1
    assert pending.pending_count() == 1
    assert pending.failures_flush() == 0
    assert pending.pending_count() == 0 and len(failures(tampered)) == 1


def test_a_rolled_back_savepoint_inside_a_committed_transaction_is_recovered(tampered):
    with transaction.atomic():
        with pytest.raises(DecryptionError), transaction.atomic():
            read(tampered)
        assert failures() == [] and pending.pending_count() == 1
    assert pending.pending_count() == 1  # the outer commit did not include the row
    assert pending.failures_flush() == 1 and len(failures(tampered)) == 1


def test_never_flushed_inside_a_transaction(tampered):
    """The reader's transaction (or any other) may hold a chain head lock: recording from
    inside it, or through a second connection, is what must not happen."""
    read_in_rolled_back_transaction(tampered)
    with transaction.atomic():
        assert pending.failures_flush() == 0
    assert pending.pending_count() == 1 and failures() == []


def test_the_next_failure_outside_a_transaction_flushes_earlier_ones(tampered):
    read_in_rolled_back_transaction(tampered)
    with pytest.raises(DecryptionError):
        read(tampered)  # autocommit: recorded at once, the pending one first
    entries = failures(tampered)
    assert [e.reason for e in entries] == [pending.LATE_REASON, pending.LATE_REASON]
    assert entries[0].at_us < entries[1].at_us  # each keeps the time it happened
    assert pending.pending_count() == 0


def test_another_threads_pending_failures_are_not_flushed_here(tampered):
    """Each thread flushes its own, on its own connection, once its transaction is over;
    another thread cannot know whether that transaction is still open."""
    read_in_rolled_back_transaction(tampered)
    flushed: list[int] = []

    def other_thread() -> None:
        try:
            flushed.append(pending.failures_flush())
        finally:
            connection.close()

    worker = threading.Thread(target=other_thread)
    worker.start()
    worker.join()
    assert flushed == [0] and failures() == []
    assert pending.failures_flush() == 1


def test_flush_never_raises_and_keeps_failures_until_they_are_recorded(
    tampered, monkeypatch, caplog
):
    read_in_rolled_back_transaction(tampered)
    real = pending.audit_record

    def database_down(**kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(pending, "audit_record", database_down)
    with caplog.at_level(logging.WARNING, logger=pending.__name__):
        assert pending.failures_flush() == 0
    assert "1 decryption failure(s) could not be recorded" in caplog.text
    assert str(tampered.pk) not in caplog.text
    assert pending.pending_count() == 1 and failures() == []
    monkeypatch.setattr(pending, "audit_record", real)
    assert pending.failures_flush() == 1 and len(failures(tampered)) == 1


def test_a_failure_whose_commit_outcome_is_unknown_is_not_recorded_twice(tampered, monkeypatch):
    """The late write committed but the flush saw an error after it (a lost connection
    during COMMIT): the next flush must find the row, not write a second one."""
    read_in_rolled_back_transaction(tampered)
    real = pending._write

    def written_then_lost(failure, **kwargs):
        real(failure, **kwargs)
        transaction.on_commit(lambda: (_ for _ in ()).throw(OperationalError("lost")))

    monkeypatch.setattr(pending, "_write", written_then_lost)
    assert pending.failures_flush() == 0  # the error surfaced after the commit
    monkeypatch.setattr(pending, "_write", real)
    assert pending.pending_count() == 1 and len(failures(tampered)) == 1
    assert pending.failures_flush() == 0
    assert pending.pending_count() == 0 and len(failures(tampered)) == 1


def test_pending_is_bounded_and_the_rest_is_one_aggregated_event(tampered, monkeypatch):
    monkeypatch.setattr(pending, "LIMIT", 3)
    read_in_rolled_back_transaction(tampered, times=5)
    assert pending.pending_count() == 5
    assert len(pending._state.failures) == 3  # memory stays fixed
    assert pending.failures_flush() == 4
    entries = failures()
    assert len(entries) == 4 and len(failures(tampered)) == 3
    aggregate = entries[-1]
    assert (aggregate.object_type, aggregate.object_id, aggregate.fields) == ("", "", "")
    assert aggregate.reason.startswith("2 more decryption failures not itemised")
    assert pending.pending_count() == 0


def test_counted_failures_that_commit_are_not_reported_as_lost(tampered, monkeypatch):
    monkeypatch.setattr(pending, "LIMIT", 2)
    with transaction.atomic():
        for _ in range(4):
            with pytest.raises(DecryptionError):
                read(tampered)
    assert pending.pending_count() == 0 and pending.failures_flush() == 0
    assert len(failures(tampered)) == 4


def test_failures_of_another_database_are_left_alone(tampered):
    """A test run's exit flush (settings point back at the real database by then) must
    not write a test database's failures into it."""
    read_in_rolled_back_transaction(tampered)
    [failure] = pending._state.failures.values()
    failure.database = ("postgresql", "elsewhere", "5432", "shop")
    assert pending.failures_flush() == 0 and pending.pending_count() == 1
    assert failures() == []


def test_the_next_sign_in_event_outside_a_transaction_flushes_them(tampered):
    read_in_rolled_back_transaction(tampered)
    user_login_failed.send(sender=__name__, credentials={"username": "nobody@example.com"})
    assert len(failures(tampered)) == 1 and pending.pending_count() == 0
    assert AuditEntry.objects.filter(event=AuditEvent.LOGIN_FAILED).count() == 1


_COMMAND = """
import django
django.setup()
from django.db import transaction
from strongroom.protection.vault.errors import DecryptionError
from strongroom.protection.vault.models import Probe
try:
    with transaction.atomic():
        Probe.objects.get(pk="{pk}").name
except DecryptionError:
    print("failed as expected")
"""


def test_a_command_that_exits_after_a_rolled_back_read_records_it(tampered):
    """A management command or script: no request ends, the process does (atexit)."""
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        url = f"sqlite:///{s['NAME']}"
    else:
        url = f"postgres://{s['USER']}:{s['PASSWORD'] or ''}@{s['HOST']}:{s['PORT']}/{s['NAME']}"
    env = {**os.environ, "STRONGROOM_DATABASE_URL": url,
           "DJANGO_SETTINGS_MODULE": "strongroom.settings"}
    done = subprocess.run([sys.executable, "-c", _COMMAND.format(pk=tampered.pk)], env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0 and "failed as expected" in done.stdout, done.stderr
    [entry] = failures(tampered)
    assert entry.reason == pending.LATE_REASON


# --- through a request ----------------------------------------------------------------


def tampered_view(request: HttpRequest, pk: str) -> HttpResponse:
    with transaction.atomic():  # a service reading a customer record, say
        Probe.objects.get(pk=pk).name  # noqa: B018
    return HttpResponse("not reached")


urlpatterns = [path("_probe/tampered/<uuid:pk>/", tampered_view)]


def test_a_request_that_fails_on_a_tampered_row_leaves_its_event(tampered, client, settings):
    settings.ROOT_URLCONF = __name__
    client.raise_request_exception = False
    response = client.get(f"/_probe/tampered/{tampered.pk}/", secure=True)
    assert response.status_code == 500
    assert b"Alice" not in response.content and b"Mallory" not in response.content
    [entry] = failures(tampered)  # flushed when the response was closed
    assert entry.reason == pending.LATE_REASON and entry.fields == "name"
    assert entry.request_id == response["X-Request-ID"]  # joins the request's logs
    assert pending.pending_count() == 0
    client.get("/", secure=True)  # the next request does not record it again
    assert len(failures(tampered)) == 1


def test_the_log_still_verifies_after_late_records(tampered, client, settings, tmp_path,
                                                   capsys):
    settings.ROOT_URLCONF = __name__
    client.raise_request_exception = False
    with transaction.atomic():
        with pytest.raises(DecryptionError):
            read(tampered)  # committed in the reader's transaction
    read_in_rolled_back_transaction(tampered, times=2)
    pending.failures_flush()
    client.get(f"/_probe/tampered/{tampered.pk}/", secure=True)
    assert len(failures(tampered)) == 4
    # The checkpoint file in a directory of this test's own (the vault keeps its keys
    # where they are): later tests never meet this test's events through it.
    signing_key_ensure(data_dir=tmp_path)
    with override_settings(STRONGROOM_DATA_DIR=tmp_path):
        call_command("audit", "checkpoint")
        report = selectors.audit_verify()
        assert report.ok, report.problems
        call_command("audit", "verify")
    assert "audit log OK" in capsys.readouterr().out

"""`audit verify` names the first edited, deleted, inserted or reordered event, and a
truncated tail; an attacker here is a database superuser (triggers dropped first).

Every case runs with the chains walked in this process and in two worker processes; the
parallel walk must give exactly the sequential report (workers read committed rows
only, so those variants run as transactional tests)."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from strongroom.protection.audit import selectors
from strongroom.protection.audit.errors import CheckpointRefused
from strongroom.protection.audit.events import AuditEvent
from strongroom.protection.audit.internal import chain
from strongroom.protection.audit.internal.checkpoints import file_path
from strongroom.protection.audit.models import AuditEntry
from strongroom.protection.audit.services import audit_checkpoint_create, audit_record

from .conftest import record_many, sql

pytestmark = pytest.mark.django_db
N = 12


@pytest.fixture(params=[1, pytest.param(2, marks=pytest.mark.django_db(transaction=True))],
                ids=["1-process", "2-processes"])
def workers(request) -> int:
    return request.param


def verify(workers: int) -> selectors.VerifyReport:
    """The report with ``workers`` processes, checked identical to the sequential one."""
    report = selectors.audit_verify(workers=workers)
    if workers > 1:
        assert report.workers == workers
        alone = selectors.audit_verify(workers=1)
        assert alone.workers == 1
        assert (report.problems, report.events, report.chains, report.checkpoints,
                report.notes) == (alone.problems, alone.events, alone.chains,
                                  alone.checkpoints, alone.notes)
    return report


@pytest.fixture
def log(audit_dir, django_capture_on_commit_callbacks, workers):
    """N events on one chain (a single connection keeps its chain), then a checkpoint
    (its file copy is written on commit)."""
    recorded = record_many(N)
    assert len({r.chain for r in recorded}) == 1
    with django_capture_on_commit_callbacks(execute=True):
        audit_checkpoint_create()
    assert file_path(audit_dir).read_text().count("\n") == 1
    return recorded


def entry(log, seq: int) -> AuditEntry:
    return AuditEntry.objects.get(chain=log[0].chain, seq=seq)


def first_problem(workers: int):
    report = verify(workers)
    assert not report.ok
    return report.problems[0]


def test_intact_log_verifies(log, workers, capsys):
    report = verify(workers)
    assert report.ok, report.problems
    assert report.events == N and report.checkpoints == 1
    call_command("audit", "verify", "--workers", str(workers))
    out = capsys.readouterr().out
    assert "audit log OK: 12 events" in out
    assert ("1 process" if workers == 1 else f"{workers} processes") in out


def test_edit_is_named(log, workers, attacker):
    target = entry(log, 5)
    sql("UPDATE audit_event SET reason = 'harmless' WHERE id = %s", [target.pk])
    problem = first_problem(workers)
    assert (problem.kind, problem.seq, problem.event_id) == ("edited", 5, target.pk)
    with pytest.raises(CommandError, match="FAILED"):
        call_command("audit", "verify", "--workers", str(workers))


def test_a_failed_verification_is_raised_on_the_alert_page(log, workers, attacker):
    from strongroom.protection.alerts.models import Alert

    sql("UPDATE audit_event SET reason = 'harmless' WHERE id = %s", [entry(log, 5).pk])
    for _ in range(2):
        with pytest.raises(CommandError, match="FAILED"):
            call_command("audit", "verify", "--workers", str(workers))
    alert = Alert.objects.get(kind="audit.verify_failed")
    assert (alert.source, alert.severity, alert.count) == ("audit", "critical", 2)
    assert "edited" in alert.summary and alert.acknowledged_at is None
    assert AuditEntry.objects.filter(event=AuditEvent.AUDIT_VERIFY_FAILED).count() == 2


def test_edit_with_recomputed_digest_is_still_caught(log, workers, attacker):
    target = entry(log, 5)
    forged = chain.digest_of(entry(log, 4).digest, (
        target.chain, 5, target.at_us, target.event, target.actor_type, target.actor_id,
        target.subject_id, target.object_type, target.object_id, target.fields, "harmless",
        target.request_id, target.origin_id))
    sql("UPDATE audit_event SET reason = 'harmless', digest = %s WHERE id = %s",
        [forged, target.pk])
    problem = first_problem(workers)
    assert problem.kind == "edited" and problem.seq == 6  # its successor no longer links
    assert str(target.pk) in problem.message or str(entry(log, 6).pk) in problem.message


def test_whole_chain_rewritten_without_the_key_disagrees_with_checkpoint(log, workers, attacker):
    prev = chain.genesis(log[0].chain)
    for seq in range(1, N + 1):
        e = entry(log, seq)
        reason = "rewritten" if seq == 3 else e.reason
        digest = chain.digest_of(prev, (e.chain, e.seq, e.at_us, e.event, e.actor_type,
                                        e.actor_id, e.subject_id, e.object_type, e.object_id,
                                        e.fields, reason, e.request_id, e.origin_id))
        sql("UPDATE audit_event SET reason = %s, digest = %s WHERE id = %s",
            [reason, digest, e.pk])
        prev = digest
    problem = first_problem(workers)
    assert problem.kind == "rewritten" and problem.seq == N
    # ...and the next checkpoint refuses to sign (would launder the rewrite).
    with pytest.raises(CheckpointRefused):
        audit_checkpoint_create()


def test_delete_is_named(log, workers, attacker):
    gone = entry(log, 7)
    sql("DELETE FROM audit_event WHERE id = %s", [gone.pk])
    problem = first_problem(workers)
    assert (problem.kind, problem.seq) == ("deleted", 7)
    assert "seq 7" in problem.message


def test_delete_with_renumbering_is_named(log, workers, attacker):
    chain_id = log[0].chain
    sql("DELETE FROM audit_event WHERE chain = %s AND seq = 7", [chain_id])
    for seq in range(8, N + 1):
        sql("UPDATE audit_event SET seq = seq - 1 WHERE chain = %s AND seq = %s",
            [chain_id, seq])
    problem = first_problem(workers)
    assert problem.kind == "deleted" and problem.seq == 7


def test_insert_is_named(log, workers, attacker):
    chain_id = log[0].chain
    for seq in range(N, 5, -1):  # make room after seq 5, as an attacker would
        sql("UPDATE audit_event SET seq = seq + 1 WHERE chain = %s AND seq = %s",
            [chain_id, seq])
    e5 = entry(log, 5)
    values = (chain_id, 6, e5.at_us + 1, int(AuditEvent.LOGIN_SUCCEEDED), 1, "intruder", "",
              "", "", "", "", "", "")
    digest = chain.digest_of(e5.digest, values)  # a perfectly chained forgery
    sql("INSERT INTO audit_event (chain, seq, at_us, event, actor_type, actor_id, subject_id,"
        " object_type, object_id, fields, reason, request_id, origin_id, digest)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)", [*values, digest])
    intruder = AuditEntry.objects.get(actor_id="intruder")
    problem = first_problem(workers)
    assert (problem.kind, problem.seq, problem.event_id) == ("inserted", 6, intruder.pk)


def test_reorder_is_named(log, workers, attacker):
    chain_id, a, b = log[0].chain, entry(log, 4), entry(log, 5)
    sql("UPDATE audit_event SET seq = -1 WHERE id = %s", [a.pk])
    sql("UPDATE audit_event SET seq = 4 WHERE id = %s", [b.pk])
    sql("UPDATE audit_event SET seq = 5 WHERE id = %s", [a.pk])
    problem = first_problem(workers)
    assert (problem.kind, problem.seq, problem.event_id) == ("reordered", 4, b.pk)
    assert "written as seq 5" in problem.message
    assert chain_id == problem.chain


def test_truncated_tail_is_caught_by_the_checkpoint(log, workers, attacker):
    chain_id = log[0].chain
    sql("DELETE FROM audit_event WHERE chain = %s AND seq > 9", [chain_id])
    sql("UPDATE audit_chainhead SET seq = 9, digest = %s WHERE chain = %s",
        [entry(log, 9).digest, chain_id])  # the attacker covers their tracks in the head too
    problem = first_problem(workers)
    assert problem.kind == "truncated" and problem.seq == 10
    assert "checkpoint 1" in problem.message


def test_truncated_tail_after_last_checkpoint_caught_by_head(log, workers, attacker):
    with transaction.atomic():
        for _ in range(3):
            audit_record(event=AuditEvent.LOGOUT)
    sql("DELETE FROM audit_event WHERE chain = %s AND seq > %s", [log[0].chain, N])
    problem = first_problem(workers)
    assert problem.kind == "truncated" and "head" in problem.message


def test_checkpoint_file_and_database_copies_guard_each_other(log, workers, attacker, audit_dir):
    sql("DELETE FROM audit_checkpoint")
    problem = first_problem(workers)
    assert problem.kind == "checkpoint" and "deleted from the database" in problem.message
    file_path(audit_dir).write_text("")  # now both copies are gone: nothing left to say
    assert verify(workers).ok


def test_forged_checkpoint_signature_is_refused(log, workers, attacker):
    sql("UPDATE audit_checkpoint SET signature = %s",
        ["A" * 86 + "=="])
    problem = first_problem(workers)
    assert problem.kind == "checkpoint"

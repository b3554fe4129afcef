"""A restore's declared gap against tampering that looks like one.

A restore brings the log back as of the backup; the events (and checkpoints) after it
are lost. Here that is played in one database: the lost history is written and
checkpointed, then cut away as a restore leaves it (events, heads and database
checkpoints back to checkpoint 1; the checkpoint file keeps everything). Declared by
``audit_gap_declare`` (signed with the audit signing key) it verifies, and says so;
the same cut without the declaration, or with a declaration forged without the key,
fails."""

import base64

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from strongroom.protection.audit import selectors
from strongroom.protection.audit.events import Actor, AuditEvent
from strongroom.protection.audit.internal import checkpoints as cplib
from strongroom.protection.audit.models import AuditChainHead, AuditCheckpoint, AuditEntry
from strongroom.protection.audit.services import (
    audit_checkpoint_create,
    audit_gap_declare,
    audit_record,
)
from strongroom.protection.vault.signing import signing_key_ensure, signing_key_load

from .conftest import record_many, sql

pytestmark = pytest.mark.django_db
SNAPSHOT_AT = "2026-12-07T10:00:00+00:00"


@pytest.fixture
def checkpoint(django_capture_on_commit_callbacks):
    def sign():
        with django_capture_on_commit_callbacks(execute=True):
            return audit_checkpoint_create()
    return sign


@pytest.fixture
def restored(audit_dir, checkpoint, attacker):
    """Checkpoint 1 is the backup's point; 2 and 3 sign the history after it, which is
    then cut away as a restore of that backup leaves the database."""
    backup = record_many(6)
    chain = backup[0].chain
    checkpoint()
    point = AuditEntry.objects.get(chain=chain, seq=6)
    record_many(4)
    checkpoint()
    record_many(3)
    checkpoint()
    sql("DELETE FROM audit_event WHERE chain = %s AND seq > 6", [chain])
    sql("DELETE FROM audit_checkpoint WHERE number > 1")
    sql("UPDATE audit_chainhead SET seq = 6, digest = %s WHERE chain = %s",
        [point.digest, chain])
    assert [c.number for c in cplib.file_read(audit_dir)[0]] == [1, 2, 3]
    return chain


def _declare(django_capture_on_commit_callbacks, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        return audit_gap_declare(backup_id="20261207T100000Z-abc123", snapshot_at=SNAPSHOT_AT,
                                 actor=Actor.system("restore"), **kwargs)


def test_declared_gap_verifies_and_says_so(restored, audit_dir, checkpoint,
                                           django_capture_on_commit_callbacks, capsys):
    result = _declare(django_capture_on_commit_callbacks)
    assert result.number == 4  # above every checkpoint of the lost history
    report = selectors.audit_verify()
    assert report.ok, report.problems
    (gap,) = report.gaps
    assert (gap.checkpoint, gap.after, gap.lost_checkpoints) == (4, 1, (2, 3))
    assert gap.backup_id == "20261207T100000Z-abc123" and gap.snapshot_at == SNAPSHOT_AT
    event = AuditEntry.objects.get(event=AuditEvent.AUDIT_GAP_DECLARED)
    assert gap.event == (event.chain, event.seq, event.digest)
    assert "the store was restored from backup 20261207T100000Z-abc123" in event.reason
    expected = (f"gap declared at {gap.declared_at} by restore of backup "
                "20261207T100000Z-abc123")
    assert any(note.startswith(expected) for note in report.notes)
    # The log goes on after the gap: the next checkpoint follows the gap checkpoint.
    record_many(2)
    assert checkpoint().number == 5
    call_command("audit", "verify", "--workers", "1")
    out = capsys.readouterr().out
    assert expected in out and "audit log OK" in out


def test_the_same_cut_without_a_declaration_is_tampering(restored):
    report = selectors.audit_verify()
    assert not report.ok and not report.gaps
    assert [p.message for p in report.problems][:2] == [
        "checkpoint 2 is in the checkpoint file but was deleted from the database",
        "checkpoint 3 is in the checkpoint file but was deleted from the database"]
    with pytest.raises(CommandError, match="FAILED"):
        call_command("audit", "verify", "--workers", "1")


def test_a_later_deletion_after_a_declared_gap_still_fails(
        restored, django_capture_on_commit_callbacks, checkpoint, attacker):
    _declare(django_capture_on_commit_callbacks)
    record_many(3)
    checkpoint()
    chain = AuditEntry.objects.get(event=AuditEvent.AUDIT_GAP_DECLARED).chain
    last = AuditEntry.objects.filter(chain=chain).order_by("-seq").first()
    sql("DELETE FROM audit_event WHERE id = %s", [last.pk - 1])
    report = selectors.audit_verify()
    assert not report.ok and report.problems[0].kind in ("deleted", "edited", "inserted")


def test_gap_event_forged_without_the_signing_key_fails(restored, audit_dir, attacker,
                                                        tmp_path):
    """An attacker who can write the database and the data directory, but has no
    signing key: a perfectly chained AUDIT_GAP_DECLARED event, and a gap checkpoint
    signed with a key of their own, in both copies."""
    with transaction.atomic():
        forged = audit_record(event=AuditEvent.AUDIT_GAP_DECLARED,
                              actor=Actor.system("restore"),
                              object=("backups.backup", "20261207T100000Z-abc123"),
                              reason="events recorded after ... are not in this log")
    heads = [(c, s, d) for c, s, d in AuditChainHead.objects.filter(chain__gte=0)
             .values_list("chain", "seq", "digest")]
    first = AuditCheckpoint.objects.get(number=1)
    signing_key_ensure(data_dir=tmp_path / "evil")
    evil = signing_key_load(data_dir=tmp_path / "evil")
    payload = cplib.payload_build(
        number=4, at_us=forged.at_us, key_id=signing_key_load(data_dir=audit_dir).key_id,
        prev=cplib.SignedCheckpoint(1, first.payload, first.signature, first.key_id).digest,
        heads=heads, gap={"after": 1, "backup_id": "20261207T100000Z-abc123",
                          "snapshot_at": SNAPSHOT_AT,
                          "event": [forged.chain, forged.seq, forged.digest]})
    signature = base64.b64encode(evil.sign(cplib.message(payload))).decode()
    AuditCheckpoint.objects.create(number=4, payload=payload, signature=signature,
                                   key_id=evil.key_id)
    cplib.file_append(audit_dir, cplib.SignedCheckpoint(4, payload, signature, evil.key_id))
    report = selectors.audit_verify()
    assert not report.ok and not report.gaps
    messages = [p.message for p in report.problems]
    assert "checkpoint 2 is in the checkpoint file but was deleted from the database" in messages
    assert any("checkpoint 4 has no valid signature" in m for m in messages)
    assert any(p.kind == "gap" and p.event_id is not None for p in report.problems)


def test_unsigned_gap_event_alone_does_not_explain_a_cut_tail(audit_dir, checkpoint,
                                                              attacker):
    """The limit of checkpoints (a tail cut after the last one, heads rolled back) is
    not papered over with a gap event: the event itself is reported as forged."""
    recorded = record_many(4)
    checkpoint()
    record_many(3)
    chain = recorded[0].chain
    sql("DELETE FROM audit_event WHERE chain = %s AND seq > 4", [chain])
    sql("UPDATE audit_chainhead SET seq = 4, digest = %s WHERE chain = %s",
        [recorded[-1].digest, chain])
    with transaction.atomic():
        audit_record(event=AuditEvent.AUDIT_GAP_DECLARED, actor=Actor.system("restore"),
                     object=("backups.backup", "x"))
    report = selectors.audit_verify()
    assert [p.kind for p in report.problems] == ["gap"]
    assert "no checkpoint signed by the audit signing key" in report.problems[0].message


def test_an_altered_gap_declaration_is_refused(restored, django_capture_on_commit_callbacks,
                                               audit_dir):
    _declare(django_capture_on_commit_callbacks)
    gap = AuditCheckpoint.objects.get(number=4)
    altered = gap.payload.replace('"after":1', '"after":0')
    sql("UPDATE audit_checkpoint SET payload = %s WHERE number = 4", [altered])
    path = cplib.file_path(audit_dir)
    path.write_text(path.read_text().replace(gap.payload.replace('"', '\\"'),
                                             altered.replace('"', '\\"')))
    report = selectors.audit_verify()
    assert not report.ok and not report.gaps
    assert any("checkpoint 4 has no valid signature" in p.message for p in report.problems)


def test_a_restore_of_a_restore_keeps_both_gaps_straight(
        restored, django_capture_on_commit_callbacks, checkpoint, audit_dir, attacker):
    """Restore 1 (gap checkpoint 4), more history (5), then restore 2 of a backup taken
    after restore 1 (its point: checkpoint 4) loses 5; its gap is 6, after 4."""
    _declare(django_capture_on_commit_callbacks)
    gap_event = AuditEntry.objects.get(event=AuditEvent.AUDIT_GAP_DECLARED)
    point = AuditEntry.objects.filter(chain=gap_event.chain).order_by("-seq").first()
    record_many(3)
    assert checkpoint().number == 5
    sql("DELETE FROM audit_event WHERE chain = %s AND seq > %s", [point.chain, point.seq])
    sql("DELETE FROM audit_checkpoint WHERE number = 5")
    sql("UPDATE audit_chainhead SET seq = %s, digest = %s WHERE chain = %s",
        [point.seq, point.digest, point.chain])
    assert _declare(django_capture_on_commit_callbacks).number == 6
    report = selectors.audit_verify()
    assert report.ok, report.problems
    assert [(g.checkpoint, g.after, g.lost_checkpoints) for g in report.gaps] == [
        (4, 1, (2, 3)), (6, 4, (5,))]

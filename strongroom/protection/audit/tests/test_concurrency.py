"""Eight writers append at once, each in its own transaction on its own connection: every
chain stays intact and no event is lost (SQLite and PostgreSQL)."""

import threading

import pytest
from django.db import connections, transaction

from strongroom.protection.audit import selectors
from strongroom.protection.audit.events import Actor, ActorType, AuditEvent
from strongroom.protection.audit.models import AuditEntry
from strongroom.protection.audit.services import audit_checkpoint_create, audit_record

WRITERS = 8
EACH = 40


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_keep_every_chain_valid(audit_dir):
    barrier = threading.Barrier(WRITERS)
    errors: list[str] = []

    def write(n: int) -> None:
        try:
            barrier.wait(timeout=30)
            for i in range(EACH):
                with transaction.atomic():
                    audit_record(event=AuditEvent.CUSTOMER_VIEWED,
                                 actor=Actor(ActorType.STAFF, f"w{n}"), object=("t", str(i)))
                    if i % 5 == 0:  # several events in one transaction stay on one chain
                        audit_record(event=AuditEvent.FIELD_REVEALED,
                                     actor=Actor(ActorType.STAFF, f"w{n}"), reason="r")
        except Exception as exc:  # surfaced below
            errors.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    expected = WRITERS * (EACH + EACH // 5)
    assert AuditEntry.objects.count() == expected
    audit_checkpoint_create()
    report = selectors.audit_verify()
    assert report.ok, report.problems
    assert report.events == expected
    # One transaction's events share a chain and are consecutive.
    for reveal in AuditEntry.objects.filter(event=AuditEvent.FIELD_REVEALED):
        before = AuditEntry.objects.get(chain=reveal.chain, seq=reveal.seq - 1)
        assert before.actor_id == reveal.actor_id

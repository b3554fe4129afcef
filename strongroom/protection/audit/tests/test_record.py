import datetime as dt
import uuid

import pytest
from django.db import connection, transaction

from strongroom.protection.audit import selectors
from strongroom.protection.audit.errors import AuditUsageError
from strongroom.protection.audit.events import Actor, ActorType, AuditEvent, Domain
from strongroom.protection.audit.internal import chain
from strongroom.protection.audit.internal.verify import _WALK_SELECT
from strongroom.protection.audit.models import AuditEntry, AuditOrigin
from strongroom.protection.audit.services import audit_record
from strongroom.protection.vault.services import subject_create, subject_shred

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


@pytest.mark.django_db(transaction=True)
def test_refused_outside_the_callers_transaction():
    with pytest.raises(AuditUsageError, match="inside the transaction"):
        audit_record(event=AuditEvent.LOGOUT)
    assert AuditEntry.objects.count() == 0


def test_a_rolled_back_change_leaves_no_event_and_no_hole():
    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        audit_record(event=AuditEvent.ORDER_PLACED, actor=Actor.system())
        raise Boom
    with transaction.atomic():
        r = audit_record(event=AuditEvent.ORDER_PLACED, actor=Actor.system())
    assert AuditEntry.objects.count() == 1 and r.seq == 1


def test_row_holds_who_what_which_why_when_and_request():
    subject = subject_create()
    with transaction.atomic():
        r = audit_record(
            event=AuditEvent.FIELD_REVEALED, actor=Actor(ActorType.STAFF, "staff-1"),
            subject_id=subject.id, object=("customers.customer", "42"),
            fields=["email", "phone"], reason="customer called\x1fabout\x00order",
            ip="203.0.113.9", request_id="req-12345678", at=T0,
        )
    e = AuditEntry.objects.get()
    assert (e.event, e.actor_type, e.actor_id) == (2002, 3, "staff-1")
    assert e.subject_id == str(subject.id)
    assert (e.object_type, e.object_id, e.field_list) == ("customers.customer", "42",
                                                          ["email", "phone"])
    assert e.reason == "customer called about order"  # separators and NULs neutralised
    assert e.request_id == "req-12345678" and e.occurred_at == T0
    assert (e.chain, e.seq, e.digest) == (r.chain, r.seq, r.digest)
    assert selectors.audit_entry_ip(entry=e) == "203.0.113.9"


def test_ip_is_stored_encrypted_never_in_plaintext():
    with transaction.atomic():
        audit_record(event=AuditEvent.LOGIN_FAILED, ip="198.51.100.77")
    with connection.cursor() as cursor:
        for table in ("audit_event", "audit_origin"):
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608
            dump = repr(cursor.fetchall())
            assert "198.51.100.77" not in dump
            assert "c633:644d" not in dump  # nor as hex


def test_ip_under_the_actors_subject_is_erased_with_them():
    person = subject_create()
    with transaction.atomic():
        audit_record(event=AuditEvent.LOGIN_SUCCEEDED, actor=Actor(ActorType.CUSTOMER, "c",
                     person.id), subject_id=person.id, ip="192.0.2.1")
    entry = AuditEntry.objects.get()
    assert AuditOrigin.objects.get().subject_id == person.id
    subject_shred(subject_id=person.id)
    assert selectors.audit_entry_ip(entry=entry) == "[erased]"
    # The event itself stays, and the chain still verifies (the IP is outside it).
    assert chain.digest_of(chain.genesis(entry.chain), _covered(entry)) == entry.digest


def test_bad_values_are_refused_not_stored():
    with transaction.atomic():
        with pytest.raises(AuditUsageError):
            audit_record(event=AuditEvent.LOGOUT, subject_id="not-a-uuid")
        with pytest.raises(AuditUsageError):
            audit_record(event=AuditEvent.LOGOUT, fields=["email; drop"])
        with pytest.raises(AuditUsageError):
            audit_record(event=AuditEvent.LOGOUT, request_id="x" * 65)
        with pytest.raises(ValueError):
            audit_record(event=12345)
        r = audit_record(event=AuditEvent.LOGOUT, ip="not an ip")
    assert r.origin_id == "" and AuditEntry.objects.count() == 1


def _covered(e: AuditEntry) -> tuple:
    return tuple(getattr(e, c) for c in chain.COLUMNS)


def test_database_side_encoding_equals_the_canonical_one():
    """verify's walk lets the database join the columns; it must equal chain.encode()."""
    with transaction.atomic():
        audit_record(event=AuditEvent.FIELD_REVEALED, actor=Actor(ActorType.STAFF, "s"),
                     subject_id=uuid.uuid4(), object=("a", "b"), fields=["x", "y"],
                     reason="café ünïcode, 'quoted'", request_id="r-123456789")
    e = AuditEntry.objects.get()
    assert chain.digest_of(chain.genesis(e.chain), _covered(e)) == e.digest
    with connection.cursor() as cursor:
        cursor.execute(_WALK_SELECT + " WHERE chain = %s AND seq > %s ORDER BY seq", [e.chain, 0])
        (seq, encoded, digest), = cursor.fetchall()
    assert ("x" + encoded).encode() == chain.encode("x", _covered(e))
    assert digest == e.digest


def test_search_by_actor_subject_event_and_time():
    a, b = uuid.uuid4(), uuid.uuid4()
    with transaction.atomic():
        audit_record(event=AuditEvent.CUSTOMER_VIEWED, actor=Actor(ActorType.STAFF, "s1"),
                     subject_id=a, at=T0)
        audit_record(event=AuditEvent.FIELD_REVEALED, actor=Actor(ActorType.STAFF, "s1"),
                     subject_id=b, at=T0 + dt.timedelta(hours=1))
        audit_record(event=AuditEvent.LOGIN_SUCCEEDED, actor=Actor(ActorType.STAFF, "s2"),
                     at=T0 + dt.timedelta(hours=2))
    assert selectors.audit_search(actor_id="s1").count() == 2
    assert selectors.audit_search(subject_id=a).get().event == AuditEvent.CUSTOMER_VIEWED
    assert selectors.audit_search(events=Domain.ACCESS).count() == 2
    assert selectors.audit_search(events=AuditEvent.LOGIN_SUCCEEDED).get().actor_id == "s2"
    window = selectors.audit_search(since=T0 + dt.timedelta(minutes=30),
                                    until=T0 + dt.timedelta(hours=2))
    assert [e.event for e in window] == [AuditEvent.FIELD_REVEALED]
    newest_first = [e.actor_id for e in selectors.audit_search()]
    assert newest_first == ["s2", "s1", "s1"]


def test_whose_data_did_an_actor_see_is_one_query(django_assert_num_queries):
    a, b, c = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    staff = Actor(ActorType.STAFF, "suspect")
    with transaction.atomic():
        for subject, minutes in [(a, 1), (a, 2), (b, 3), (c, 300)]:
            audit_record(event=AuditEvent.FIELD_REVEALED, actor=staff, subject_id=subject,
                         at=T0 + dt.timedelta(minutes=minutes))
        audit_record(event=AuditEvent.LOGIN_SUCCEEDED, actor=staff, subject_id=uuid.uuid4(),
                     at=T0)  # not a read of customer data
        audit_record(event=AuditEvent.CUSTOMER_VIEWED, actor=Actor(ActorType.STAFF, "other"),
                     subject_id=b, at=T0)
    with django_assert_num_queries(1):
        seen = selectors.audit_subjects_seen_by(actor_id="suspect", since=T0,
                                                until=T0 + dt.timedelta(hours=1))
    assert {s.subject_id: s.events for s in seen} == {a: 2, b: 1}


def test_who_accessed_this_customer():
    me = uuid.uuid4()
    with transaction.atomic():
        audit_record(event=AuditEvent.FIELD_REVEALED, actor=Actor(ActorType.STAFF, "s1"),
                     subject_id=me, reason="refund request", fields=["phone"])
        audit_record(event=AuditEvent.LOGIN_SUCCEEDED, actor=Actor(ActorType.CUSTOMER, "me"),
                     subject_id=me)
    (only,) = selectors.audit_access_to_subject(subject_id=me)
    assert (only.actor_id, only.reason) == ("s1", "refund request")

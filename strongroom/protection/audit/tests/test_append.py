"""The append itself: on PostgreSQL the server computes each digest (``audit_append``, the
SQL twin of ``chain.encode``); it must equal the canonical one on any value, and a
store without chain heads gets one clear error, not a silent skip."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from strongroom.protection.audit.events import Actor, ActorType, AuditEvent
from strongroom.protection.audit.internal import chain
from strongroom.protection.audit.models import AuditChainHead, AuditEntry
from strongroom.protection.audit.services import audit_record

pytestmark = pytest.mark.django_db

AWKWARD = ["", "café ünïcode", "日本語の理由", "emoji 🛒🔐 and a ZWJ 👩‍💻", "e\u0301 combining",
           "'quoted' \"double\" back\\slash", "%s %% {0} $1 $fn$", "tab\tand newline\n"]


def _canonical_digests() -> list[tuple[str, str]]:
    """(stored, recomputed in Python) for every event, chain by chain from genesis."""
    pairs = []
    for c in AuditEntry.objects.values_list("chain", flat=True).distinct():
        prev = chain.genesis(c)
        for e in AuditEntry.objects.filter(chain=c).order_by("seq"):
            expected = chain.digest_of(prev, tuple(getattr(e, n) for n in chain.COLUMNS))
            pairs.append((e.digest, expected))
            prev = e.digest
    return pairs


def test_awkward_values_hash_the_same_on_the_server_and_in_python():
    staff = Actor(ActorType.STAFF, "staff-7")
    with transaction.atomic():
        recorded = [audit_record(event=AuditEvent.FIELD_REVEALED, actor=staff,
                                 object=("customers.customer", "42"), fields=["email"],
                                 reason=reason, request_id="req-1") for reason in AWKWARD]
    pairs = _canonical_digests()
    assert len(pairs) == len(AWKWARD) and all(stored == again for stored, again in pairs)
    assert sorted(r.digest for r in recorded) == sorted(stored for stored, _ in pairs)


@hsettings(max_examples=30, deadline=None,
           suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(reasons=st.lists(st.text(max_size=120), min_size=1, max_size=4),
       object_id=st.from_regex(r"\A[A-Za-z0-9._:-]{1,64}\Z"))
def test_random_values_hash_the_same_on_the_server_and_in_python(reasons, object_id):
    with transaction.atomic():
        for reason in reasons:
            audit_record(event=AuditEvent.CUSTOMER_VIEWED, actor=Actor.system(),
                         object=("orders.order", object_id), reason=reason)
    assert all(stored == again for stored, again in _canonical_digests())


def test_without_chain_heads_the_append_is_one_clear_error():
    AuditChainHead.objects.all().delete()
    with pytest.raises(chain.ChainHeadsMissing, match="strongroom migrate"):
        with transaction.atomic():
            audit_record(event=AuditEvent.LOGOUT)
    assert not AuditEntry.objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's append function")
def test_postgresql_appends_with_one_call():
    from django.test.utils import CaptureQueriesContext

    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        audit_record(event=AuditEvent.LOGOUT)
    assert [q["sql"].split("(")[0] for q in queries.captured_queries] == [
        "SELECT chain, seq, digest FROM audit_append"]

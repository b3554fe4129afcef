"""Breach scope: exactly the customers a support account revealed, by account, by
address and by API token; bad windows and unknown actors are refused (exit 2)."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone

from strongroom.protection.audit.events import Actor, AuditEvent
from strongroom.protection.audit.services import audit_record
from strongroom.protection.incidents.errors import ScopeError
from strongroom.protection.incidents.scope import ScopeQuery, scope_query

pytestmark = pytest.mark.django_db

HOUR = dt.timedelta(hours=1)


def _window():
    now = timezone.now()
    return now - HOUR, now + HOUR


def test_scope_lists_exactly_the_customers_the_support_account_revealed(breach):
    support, _owner, victims, others = breach
    since, until = _window()
    found = scope_query(query=ScopeQuery("actor", support.email, since, until))
    assert {a.subject_id for a in found} == {v.subject_id for v in victims}
    assert all(a.events == 1 for a in found)
    assert all("user.contact.email" in a.categories for a in found)
    assert not {a.subject_id for a in found} & {o.subject_id for o in others}


def test_scope_outside_the_window_is_empty(breach):
    support, *_ = breach
    now = timezone.now()
    found = scope_query(query=ScopeQuery("actor", support.email, now - 3 * HOUR, now - 2 * HOUR))
    assert found == []


def test_scope_by_address_finds_the_requests_from_it(breach):
    _support, _owner, victims, others = breach
    since, until = _window()
    found = scope_query(query=ScopeQuery("ip", "203.0.113.7", since, until))
    assert {a.subject_id for a in found} == {v.subject_id for v in victims}
    assert all("user.contact.email" in a.categories for a in found)
    found = scope_query(query=ScopeQuery("ip", "198.51.100.1", since, until))
    assert {a.subject_id for a in found} == {o.subject_id for o in others}
    assert not any("user.contact.email" in a.categories for a in found)


def test_scope_by_api_token(breach):
    _support, _owner, victims, _others = breach
    token = uuid.uuid4()
    with transaction.atomic():
        for person in victims[:4]:
            audit_record(event=AuditEvent.CUSTOMER_VIEWED, actor=Actor.api_client(str(token)),
                         subject_id=person.subject_id, object=person, fields=["email"])
    since, until = _window()
    found = scope_query(query=ScopeQuery("token", str(token), since, until))
    assert {a.subject_id for a in found} == {v.subject_id for v in victims[:4]}


@pytest.mark.parametrize("kind,value", [("actor", "nobody@example.test"),
                                        ("token", str(uuid.UUID(int=7))),
                                        ("token", "not-a-uuid"), ("ip", "999.1.1.1")])
def test_unknown_actor_is_a_clear_error(breach, kind, value):
    since, until = _window()
    with pytest.raises(ScopeError):
        scope_query(query=ScopeQuery(kind, value, since, until))


def test_t2_before_t1_is_refused(breach):
    support, *_ = breach
    since, until = _window()
    with pytest.raises(ScopeError, match="after its start"):
        scope_query(query=ScopeQuery("actor", support.email, until, since))


def test_command_text_and_json(breach, capsys):
    support, _owner, victims, _others = breach
    since, until = _window()
    call_command("incidents", "scope", "--actor", support.email, "--since", since.isoformat(),
                 "--until", until.isoformat(), "--format", "json")
    data = json.loads(capsys.readouterr().out)
    assert {c["subject_id"] for c in data["customers"]} == {str(v.subject_id) for v in victims}
    call_command("incidents", "scope", "--actor", support.email, "--since", since.isoformat(),
                 "--until", until.isoformat())
    out = capsys.readouterr()
    assert len(out.out.strip().splitlines()) == 30
    assert "30 customers" in out.err


@pytest.mark.parametrize("args,message", [
    (["--actor", "nobody@example.test"], "no account"),
    (["--actor", "x", "--since", "2026-01-02T00:00:00Z", "--until", "2026-01-01T00:00:00Z"],
     "after"),
    (["--actor", "x", "--since", "yesterday"], "ISO 8601"),
    (["--actor", "x", "--since", "2026-01-01T00:00:00"], "time zone"),
])
def test_command_bad_input_exits_2(breach, args, message):
    base = {"--since": "2026-01-01T00:00:00Z", "--until": "2026-01-02T00:00:00Z"}
    for i in range(0, len(args), 2):
        base[args[i]] = args[i + 1]
    argv = [x for kv in base.items() for x in kv]
    with pytest.raises(CommandError, match=message) as err:
        call_command("incidents", "scope", *argv)
    assert err.value.returncode == 2

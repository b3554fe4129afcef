"""Erasure (Art. 17): after it, the raw database (SQLite file + WAL, or pg_dump) and a
fresh export hold none of the person's data, not even the wrapped key that could open
it; the accounting totals are unchanged; a ledger entry (database and file) and a signed
receipt are written; erasing twice says so."""

from __future__ import annotations

import json
import os
import stat
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError

from strongroom.protection.audit.events import AuditEvent
from strongroom.protection.audit.selectors import audit_search
from strongroom.protection.privacy import selectors, services
from strongroom.protection.privacy.erasure import receipt_valid
from strongroom.protection.privacy.errors import PrivacyError, PrivacyErrorCode
from strongroom.protection.privacy.internal.export_data import subject_data
from strongroom.protection.privacy.internal.ledger import ledger_path
from strongroom.protection.vault.models import DataKey
from strongroom.protection.vault.tests.test_stolen_dump import _raw_database

from .helpers import canary_customer, needles, totals

pytestmark = pytest.mark.django_db(transaction=True)


def test_erasure_leaves_nothing_readable_and_the_books_intact() -> None:
    alice, values, orders = canary_customer("erase")
    _bob, bob_values, _ = canary_customer("keep", orders=1)
    wrapped = [bytes(w) for w in DataKey.objects.filter(subject_id=alice.subject_id)
               .values_list("wrapped", flat=True)]
    assert wrapped
    books = totals(orders)
    mail.outbox.clear()
    receipt = services.customer_erase(user=alice, request_ref="PR-TEST0001")

    raw = _raw_database()
    lowered = raw.lower()
    for name, needle in needles(values).items():
        assert needle.encode() not in lowered, name
    for key in wrapped:  # the key that could decrypt the ciphertexts left behind
        assert key not in raw
    assert not DataKey.objects.filter(subject_id=alice.subject_id).exists()
    assert totals(orders) == books  # amounts, tax, dates and references kept

    alice.refresh_from_db()
    assert not alice.is_active and alice.email_index is None
    data = json.dumps(subject_data(user=alice), default=str).lower()
    for name, needle in needles(values).items():
        assert needle not in data, name
    assert bob_values["city"].lower() not in data
    assert [o["total"] for o in json.loads(json.dumps(subject_data(user=alice),
                                                      default=str))["orders"]] != []

    assert receipt_valid(receipt=receipt)
    tampered = receipt.document | {"kept": []}
    receipt.document = tampered
    assert not receipt_valid(receipt=receipt)
    sent = mail.outbox[-1]
    assert sent.to == [values["email"].lower()] or sent.to[0].lower() == values["email"].lower()
    assert "signature:" in sent.body and str(receipt.id) in sent.body

    entry = selectors.ledger_entries().get()
    assert (str(entry.subject_id), entry.request_id) == (str(alice.subject_id), "PR-TEST0001")
    line = selectors.ledger_file()[-1]
    assert set(line) == {"seq", "subject_id", "erased_at", "request_id"}
    assert line["seq"] == entry.seq and line["subject_id"] == str(alice.subject_id)
    assert line["erased_at"].endswith("Z")
    path = ledger_path()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    assert values["email"].lower().encode() not in path.read_bytes().lower()
    events = [e.event for e in audit_search(subject_id=alice.subject_id)
              if e.event in (AuditEvent.SUBJECT_ERASED, AuditEvent.SUBJECT_SHREDDED)]
    assert AuditEvent.SUBJECT_ERASED in events

    with pytest.raises(PrivacyError) as info:
        services.customer_erase(user=alice, request_ref="PR-AGAIN")
    assert info.value.code == PrivacyErrorCode.ALREADY_ERASED


def test_ledger_file_catches_up_after_a_lost_append() -> None:
    one, _, _ = canary_customer("l1", orders=0)
    two, _, _ = canary_customer("l2", orders=0)
    services.customer_erase(user=one, request_ref="PR-1")
    ledger_path().write_text("")  # the append after commit was lost (crash)
    services.customer_erase(user=two, request_ref="PR-2")
    assert [e["request_id"] for e in selectors.ledger_file()] == ["PR-1", "PR-2"]
    out = StringIO()
    call_command("privacy", "ledger", "--format", "json", stdout=out)


def test_cli_erase_prints_the_receipt_and_refuses_twice() -> None:
    alice, values, _ = canary_customer("cli", orders=1)
    out = StringIO()
    call_command("privacy", "erase", values["email"], "--request", "PR-CLI", stdout=out)
    receipt = selectors.ledger_entries().get()
    assert "Receipt " in out.getvalue()
    assert receipt.request_id == "PR-CLI"
    with pytest.raises(CommandError) as info:  # its email index is gone: not found
        call_command("privacy", "erase", values["email"], "--request", "PR-CLI2")
    assert info.value.returncode == 2
    with pytest.raises(CommandError):
        call_command("privacy", "erase", "x@example.test", "--request", " ")


def test_grace_period_schedules_then_the_job_erases(settings) -> None:
    import datetime as dt

    from django.utils import timezone

    from strongroom.protection.privacy.conf import PrivacySettings
    from strongroom.protection.privacy.erasure import erasure_request, erasures_due

    settings.STRONGROOM_PRIVACY = PrivacySettings(erasure_grace_days=14)
    alice, _, _ = canary_customer("grace", orders=0)
    request = erasure_request(user=alice)
    assert request.status == "scheduled"
    assert erasures_due() == 0
    assert erasures_due(now=timezone.now() + dt.timedelta(days=14, minutes=1)) == 1
    request.refresh_from_db()
    assert request.status == "done"
    alice.refresh_from_db()
    assert not alice.is_active

"""Export (Art. 15/20): a canary customer's archive holds all of their data and nothing
of another customer's; the download link needs the account, works once, and expires."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from strongroom.protection.audit.events import AuditEvent
from strongroom.protection.audit.selectors import audit_search
from strongroom.protection.privacy import services
from strongroom.protection.privacy.errors import PrivacyError, PrivacyErrorCode
from strongroom.protection.privacy.exports import export_token
from strongroom.protection.privacy.models import DataExport

from .helpers import canary_customer, needles

pytestmark = pytest.mark.django_db(transaction=True)


def _unzip(blob: bytes) -> tuple[dict, str]:
    with zipfile.ZipFile(io.BytesIO(blob)) as archive:
        assert sorted(archive.namelist()) == ["data.json", "index.html"]
        return json.loads(archive.read("data.json")), archive.read("index.html").decode()


def test_canary_export_holds_all_of_theirs_and_nothing_of_anyone_else() -> None:
    alice, alice_values, orders = canary_customer("alice", card_last4="1111")
    _bob, bob_values, _ = canary_customer("bob", card_last4="9999")
    services.consent_set(user=alice, purpose="marketing_email", agreed=True, method="signup")
    export, token = services.export_request(user=alice)  # built on commit (in-process)
    export.refresh_from_db()
    assert export.status == "ready" and export.progress == 100
    assert export.token_hash != token and token not in str(export.token_hash)
    _, blob = services.export_download(user=alice, token=token)
    data, page = _unzip(blob)
    text = json.dumps(data, ensure_ascii=False).lower()
    for name, needle in needles(alice_values).items():
        assert needle in text, name
        assert needle in page.lower() or name == "email" and needle in page.lower(), name
    for name, needle in needles(bob_values).items():
        assert needle not in text and needle not in page.lower(), name
    assert {o["reference"] for o in data["orders"]} == {o.reference for o in orders}
    assert data["orders"][0]["lines"][0]["quantity"] == 2
    payment = data["orders"][0]["payments"][0]
    assert (payment["card_last4"], payment["card_expiry"]) == ("1111", "12/2031")
    assert data["consents"]["history"][0]["wording"] == services.CONSENT_WORDING[
        "marketing_email"]
    for section in ("account", "addresses", "orders", "consents", "sessions_and_devices",
                    "security_events", "staff_access"):
        assert section in data
    events = [e.event for e in audit_search(subject_id=alice.subject_id,
                                            events=[AuditEvent.EXPORT_REQUESTED,
                                                    AuditEvent.EXPORT_CREATED,
                                                    AuditEvent.EXPORT_DOWNLOADED])]
    assert events == [AuditEvent.EXPORT_DOWNLOADED, AuditEvent.EXPORT_CREATED,
                      AuditEvent.EXPORT_REQUESTED]


def test_download_once_only_for_the_owner_and_not_after_expiry() -> None:
    alice, _, _ = canary_customer("a2", orders=1)
    bob, _, _ = canary_customer("b2", orders=1)
    export, token = services.export_request(user=alice)
    with pytest.raises(PrivacyError) as info:  # someone else's export: not found
        services.export_download(user=bob, token=token)
    assert info.value.code == PrivacyErrorCode.NOT_FOUND
    with pytest.raises(PrivacyError) as info:  # tampered
        services.export_download(user=alice, token=token[:-3] + "xyz")
    assert info.value.code == PrivacyErrorCode.BAD_TOKEN
    services.export_download(user=alice, token=token)
    with pytest.raises(PrivacyError) as info:  # used
        services.export_download(user=alice, token=token)
    assert info.value.code == PrivacyErrorCode.BAD_TOKEN
    export.refresh_from_db()
    assert export.archive is None and export.status == "downloaded"
    late, late_token = services.export_request(user=alice)
    with pytest.raises(PrivacyError):
        services.export_download(user=alice, token=late_token,
                                 now=timezone.now() + dt.timedelta(days=7, seconds=1))
    late.refresh_from_db()
    assert late.archive is None and late.status == "expired"
    refused = audit_search(subject_id=alice.subject_id, events=AuditEvent.EXPORT_REFUSED)
    assert refused.count() == 2
    assert export_token(export_id=export.pk) == token  # the page can show the link again


def test_export_archive_is_encrypted_at_rest() -> None:
    alice, values, _ = canary_customer("a3", orders=1)
    export, _ = services.export_request(user=alice)
    raw = DataExport.objects.filter(pk=export.pk).values_list("archive", flat=True).get()
    assert bytes(raw)[:6] != b"UEsDBB"  # not a base64 zip in the clear
    assert values["city"].encode() not in bytes(raw)


def test_cli_export_writes_the_same_archive(tmp_path: Path) -> None:
    alice, values, _ = canary_customer("a4", orders=1)
    out = tmp_path / "alice.zip"
    call_command("privacy", "export", values["email"], "--out", str(out), "--request", "PR-1")
    data, _ = _unzip(out.read_bytes())
    assert data["account"]["email"].lower() == values["email"].lower()
    assert out.stat().st_mode & 0o777 == 0o600
    assert audit_search(subject_id=alice.subject_id, events=AuditEvent.EXPORT_CREATED).get(
    ).reason == "PR-1"
    for args in (["nobody@example.test", "--out", str(tmp_path / "n.zip")],
                 [values["email"], "--out", str(out)],  # exists: never overwritten
                 [values["email"], "--out", str(tmp_path / "x.txt")]):
        with pytest.raises(CommandError) as info:
            call_command("privacy", "export", *args)
        assert info.value.returncode == 2

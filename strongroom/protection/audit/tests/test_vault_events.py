"""Key operations and decryption failures reach the audit log (issue 3 item 7)."""

from __future__ import annotations

import pytest

from strongroom.protection.audit.events import AuditEvent
from strongroom.protection.audit.models import AuditEntry
from strongroom.protection.vault import services
from strongroom.protection.vault.errors import DecryptionError
from strongroom.protection.vault.models import Probe

pytestmark = pytest.mark.django_db


def _events_after(mark: int) -> list[tuple[int, str | None]]:
    rows = AuditEntry.objects.filter(pk__gt=mark).order_by("pk")
    return [(r.event, r.subject_id or None) for r in rows]


def _mark() -> int:
    last = AuditEntry.objects.order_by("-pk").first()
    return last.pk if last else 0


def test_shredding_and_key_rotation_are_recorded():
    subject = services.subject_create()
    mark = _mark()
    services.subject_shred(subject_id=subject.pk)
    services.kek_rotate()
    services.index_key_rotate()
    events = _events_after(mark)
    assert [e for e, _ in events] == [AuditEvent.SUBJECT_SHREDDED, AuditEvent.KEK_ROTATED,
                                      AuditEvent.INDEX_KEY_ROTATED]
    assert str(events[0][1]) == str(subject.pk)


def test_a_tampered_ciphertext_is_recorded_once_per_read_and_still_one_error():
    subject = services.subject_create()
    victim = Probe.objects.create(subject=subject, name="Alice Liddell", email="a@example.com")
    other = Probe.objects.create(subject=subject, name="Mallory", email="m@example.com")
    raw = Probe.objects.filter(pk=victim.pk).values_list("name", flat=True).get()
    Probe.objects.filter(pk=other.pk).update(name=raw)  # copy a ciphertext to another row
    mark = _mark()
    with pytest.raises(DecryptionError):
        Probe.objects.get(pk=other.pk).name  # noqa: B018
    entries = list(AuditEntry.objects.filter(pk__gt=mark))
    assert [e.event for e in entries] == [AuditEvent.DECRYPTION_FAILED]
    assert entries[0].object_type == "vault.Probe" and entries[0].object_id == str(other.pk)
    assert "name" in entries[0].fields

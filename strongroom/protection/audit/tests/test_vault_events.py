"""Key operations and decryption failures reach the audit log (issue 3 item 7)."""

from __future__ import annotations

import pytest

from strongroom.protection.audit.events import AuditEvent
from strongroom.protection.audit.models import AuditEntry
from strongroom.protection.vault import services
from strongroom.protection.vault.errors import DecryptionError
from strongroom.protection.vault.fields import Sealed
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


@pytest.mark.parametrize("attack", ["moved_to_another_customer", "key_id_edited"])
def test_a_ciphertext_no_key_of_the_row_opens_is_recorded(attack: str):
    """The key lookup fails before any decryption is tried (the ciphertext names a key of
    another subject, or no key at all): still one error and one audit event."""
    alice, mallory = services.subject_create(), services.subject_create()
    victim = Probe.objects.create(subject=alice, name="Alice Liddell", email="a@example.com")
    row = Probe.objects.create(subject=mallory, name="Mallory", email="m@example.com")
    raw = bytes(Probe.objects.filter(pk=victim.pk).values_list("name", flat=True).get())
    if attack == "key_id_edited":
        raw = raw[:1] + (2**63).to_bytes(8, "big") + raw[9:]
    Probe.objects.filter(pk=row.pk).update(name=Sealed(raw))
    mark = _mark()
    with pytest.raises(DecryptionError):
        Probe.objects.get(pk=row.pk).name  # noqa: B018
    entries = list(AuditEntry.objects.filter(pk__gt=mark))
    assert [e.event for e in entries] == [AuditEvent.DECRYPTION_FAILED]
    assert entries[0].object_id == str(row.pk) and str(entries[0].subject_id) == str(mallory.pk)

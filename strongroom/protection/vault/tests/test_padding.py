"""Ciphertext format 2 on real rows: the column shows neither length (within a bucket)
nor NULL-ness; format-1 rows and NULL columns written before still read, and
``keys rotate --reencrypt`` converts them. Columns are read raw, as a stolen dump is."""

from __future__ import annotations

import datetime as dt
import io
import json
import uuid
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import connection

from strongroom.protection.vault import fields, selectors, services
from strongroom.protection.vault.errors import DecryptionError
from strongroom.protection.vault.fields import ERASED, Sealed
from strongroom.protection.vault.internal import envelope, runtime
from strongroom.protection.vault.internal.descriptor import PyEncryptedAttribute, row_aad
from strongroom.protection.vault.models import Probe

pytestmark = pytest.mark.django_db
COLUMNS = ("name", "email", "phone", "note", "attrs", "born")


def _raw(pk: uuid.UUID, column: str) -> bytes | None:
    table = Probe._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {column} FROM {table} WHERE id = %s",  # noqa: S608
            [Probe._meta.pk.get_db_prep_value(pk, connection)],
        )
        value = cursor.fetchone()[0]
    return None if value is None else bytes(value)


def _fresh(pk: uuid.UUID) -> Probe:
    runtime.keystore().forget_all()
    return Probe.objects.get(pk=pk)


def test_lengths_in_a_bucket_and_none_are_equal_on_disk(subject) -> None:
    short = Probe.objects.create(subject=subject, name="Al", email="a@b.eu", phone=None,
                                 note="", attrs=None, born=None)
    longer = Probe.objects.create(subject=subject, name="Bartholomew Quince",
                                  email="bartholomew.q@example.org", phone="+44 20 7946 0018",
                                  note="leaves at 5", attrs={"tier": "gold"},
                                  born=dt.date(1990, 5, 4))
    for column in COLUMNS:
        a, b = _raw(short.pk, column), _raw(longer.pk, column)
        assert a is not None and b is not None, column  # no SQL NULL shows "no phone"
        assert a[0] == b[0] == envelope.FORMAT_V2
        assert len(a) == len(b) == 9 + 12 + 32 + 16, column
    assert short.phone_index and longer.phone_index  # the index column shows nothing either
    assert len(short.phone_index) == len(longer.phone_index)
    fresh = _fresh(short.pk)
    assert (fresh.name, fresh.phone, fresh.note, fresh.attrs, fresh.born) == (
        "Al", None, "", None, None)


def test_a_longer_value_moves_to_the_next_bucket(subject) -> None:
    probe = Probe.objects.create(subject=subject, name="x" * 31, note="y" * 100)
    assert len(_raw(probe.pk, "name")) == 9 + 12 + 64 + 16
    assert len(_raw(probe.pk, "note")) == 9 + 12 + 128 + 16
    assert _fresh(probe.pk).note == "y" * 100


def _legacy(probe: Probe) -> None:
    """Rewrite a row as an older version stored it: format 1, SQL NULL for None."""
    key_id, key = runtime.keystore().key_for_encrypt(probe.subject_id)
    updates: dict[str, Sealed | None] = {}
    for column in COLUMNS:
        field = Probe._meta.get_field(column)
        value = getattr(probe, column)
        updates[column] = None if value is None else Sealed(envelope.seal(
            key, key_id, field.codec.encode(value), field.context, row_aad(probe.pk),
            version=envelope.FORMAT_V1))
    Probe.objects.filter(pk=probe.pk).update(**updates)


@pytest.fixture
def legacy(subject) -> tuple[Probe, Probe]:
    full = Probe.objects.create(subject=subject, name="Old Alice", email="old@example.com",
                                phone="+44 1", note="old note", attrs={"n": 1},
                                born=dt.date(1970, 1, 2))
    empty = Probe.objects.create(subject=subject, name="Old Bob", email="bob@example.com",
                                 phone=None, attrs=None, born=None)
    _legacy(full)
    _legacy(empty)
    assert _raw(full.pk, "name")[0] == 1 and _raw(empty.pk, "phone") is None
    return full, empty


@pytest.mark.parametrize("read", ["compiled", "python"])
def test_format_1_rows_and_null_columns_still_read(legacy, read, monkeypatch) -> None:
    full, empty = legacy
    if read == "python":
        for column in COLUMNS:
            monkeypatch.setattr(Probe, column, PyEncryptedAttribute(Probe._meta.get_field(column)))
            getattr(Probe, column)._context = Probe._meta.get_field(column).context
    for _ in range(2):  # cold cache, then warm (the compiled path where it is built)
        fresh = Probe.objects.get(pk=full.pk)
        assert (fresh.name, fresh.phone, fresh.attrs, fresh.born) == (
            "Old Alice", "+44 1", {"n": 1}, dt.date(1970, 1, 2))
        blank = Probe.objects.get(pk=empty.pk)
        assert (blank.name, blank.phone, blank.attrs, blank.born) == ("Old Bob", None, None, None)
    # Saving an unchanged old row keeps its ciphertext (no silent rewrite on every save).
    fresh = Probe.objects.get(pk=full.pk)
    fresh.save()
    assert _raw(full.pk, "name")[0] == 1


def test_rotation_with_reencrypt_converts_to_format_2(legacy, capsys) -> None:
    full, empty = legacy
    with mock.patch.object(services, "REENCRYPT_GRACE", dt.timedelta(0)):
        call_command("keys", "rotate", "--reencrypt", "--batch-size", "5")
    for pk in (full.pk, empty.pk):
        for column in COLUMNS:
            raw = _raw(pk, column)
            assert raw is not None and raw[0] == envelope.FORMAT_V2, column
            assert len(raw) == 9 + 12 + 32 + 16
    fresh, blank = _fresh(full.pk), _fresh(empty.pk)
    assert (fresh.name, fresh.phone, fresh.attrs, fresh.born) == (
        "Old Alice", "+44 1", {"n": 1}, dt.date(1970, 1, 2))
    assert (blank.name, blank.phone, blank.attrs, blank.born) == ("Old Bob", None, None, None)


def test_tampering_with_format_2_fails_closed(subject) -> None:
    victim = Probe.objects.create(subject=subject, name="Victim", phone=None)
    other = Probe.objects.create(subject=subject, name="Other", phone="+44 2")
    marker, name = _raw(victim.pk, "phone"), _raw(victim.pk, "name")
    cases = [
        (victim.pk, "name", bytes([1]) + name[1:]),  # relabelled as format 1
        (victim.pk, "name", bytes([3]) + name[1:]),  # an unknown format
        (other.pk, "phone", marker),  # "no phone" copied to another row
        (victim.pk, "note", marker),  # ... or to another column
        (victim.pk, "name", name[:-1]),  # truncated
    ]
    for pk, column, blob in cases:
        original = _raw(pk, column)
        Probe.objects.filter(pk=pk).update(**{column: Sealed(blob)})
        for _ in range(2):  # cold, then warm cache
            with pytest.raises(DecryptionError):
                getattr(Probe.objects.get(pk=pk), column)
        Probe.objects.filter(pk=pk).update(**{column: Sealed(original)})
        getattr(_fresh(pk), column)  # readable again (raises otherwise)


def test_an_erased_subject_row_still_saves(subject) -> None:
    probe = Probe.objects.create(subject=subject, name="Gone", phone=None)
    services.subject_shred(subject_id=subject.id)
    fresh = _fresh(probe.pk)
    fresh.phone = None  # nothing to seal a marker with: stays SQL NULL, reads ERASED elsewhere
    fresh.save()
    again = _fresh(probe.pk)
    assert again.name is ERASED and again.phone is None


def test_a_dump_has_no_null_for_an_empty_encrypted_field(subject) -> None:
    probe = Probe.objects.create(subject=subject, name="Dumped", phone=None, attrs=None)
    out = io.StringIO()
    call_command("dumpdata", "vault.probe", stdout=out)
    (row,) = [o for o in json.loads(out.getvalue()) if o["pk"] == str(probe.pk)]
    for column in ("phone", "attrs", "born"):
        assert row["fields"][column].startswith(fields.CIPHERTEXT_PREFIX), column
    assert row["fields"]["phone_index"] is not None


def test_empty_values_get_a_filler_index_that_matches_nothing(subject) -> None:
    a = Probe.objects.create(subject=subject, phone="")
    b = Probe.objects.create(subject=subject, phone=None)
    assert a.phone_index != b.phone_index  # random: no "these two have no phone" link
    assert Probe.objects.filter(
        phone_index__in=selectors.blind_index_candidates("phone", "")).count() == 0
    services.index_key_rotate()
    assert Probe.objects.get(pk=a.pk).phone_index.startswith("2$")


@pytest.mark.parametrize("order", ["keys first", "rows first"])
def test_an_older_dump_with_nulls_still_loads(subject, tmp_path, order: str) -> None:
    """A dump made before format 2 holds ``null`` for a missing value (and its index):
    it loads as it was dumped, whether the data keys come before or after the rows."""
    from strongroom.protection.vault.models import DataKey, IndexKey, Subject

    probe = Probe.objects.create(subject=subject, name="Legacy", phone="+44 3")
    labels = ["vault.Subject", "vault.DataKey", "vault.IndexKey", "vault.Probe"]
    if order == "rows first":
        labels = ["vault.Subject", "vault.Probe", "vault.DataKey", "vault.IndexKey"]
    out = io.StringIO()
    call_command("dumpdata", *labels, stdout=out)
    fixture = json.loads(out.getvalue())
    (row,) = [o for o in fixture if o["model"] == "vault.probe" and o["pk"] == str(probe.pk)]
    row["fields"].update(phone=None, phone_index=None, attrs=None, born=None)
    for model in (Probe, DataKey, IndexKey, Subject):
        model._base_manager.all().delete()
    runtime.reset()
    path = tmp_path / "old.json"
    path.write_text(json.dumps(fixture))
    call_command("loaddata", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    fresh = _fresh(probe.pk)
    assert (fresh.name, fresh.phone, fresh.attrs, fresh.born) == ("Legacy", None, None, None)
    assert _raw(probe.pk, "phone") is None and fresh.phone_index is None
    assert DataKey.objects.count() == 1  # no key was made up during the load

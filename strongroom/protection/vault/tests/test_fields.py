"""Encrypted fields on the vault's Probe model: storage, binding, failures, shredding."""

from __future__ import annotations

import datetime as dt
import os
import uuid

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from strongroom.protection.vault import selectors, services
from strongroom.protection.vault.errors import (
    DecryptionError,
    SubjectErasedError,
    UnsupportedOperation,
)
from strongroom.protection.vault.fields import ERASED, Sealed
from strongroom.protection.vault.internal import keyfiles, runtime
from strongroom.protection.vault.models import DataKey, Probe

pytestmark = pytest.mark.django_db


def _probe(subject, **values) -> Probe:
    defaults = dict(
        name="Alice Liddell",
        email="Alice@Example.com",
        phone="+44 20 7946 0018",
        note="leaves at 5",
        attrs={"tier": "gold"},
        born=dt.date(1990, 5, 4),
    )
    return Probe.objects.create(subject=subject, **{**defaults, **values})


def _raw(pk: uuid.UUID, column: str) -> bytes:
    table = Probe._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {column} FROM {table} WHERE id = %s",  # noqa: S608
            [Probe._meta.pk.get_db_prep_value(pk, connection)],
        )
        return bytes(cursor.fetchone()[0])


def _write_raw(pk: uuid.UUID, column: str, value: bytes) -> None:
    Probe.objects.filter(pk=pk).update(**{column: Sealed(value)})


def test_round_trip_every_field_type(subject) -> None:
    probe = _probe(subject)
    fresh = Probe.objects.get(pk=probe.pk)
    assert (fresh.name, fresh.email, fresh.note) == (
        "Alice Liddell",
        "Alice@Example.com",
        "leaves at 5",
    )
    assert fresh.attrs == {"tier": "gold"} and fresh.born == dt.date(1990, 5, 4)


def test_database_holds_only_ciphertext(subject) -> None:
    probe = _probe(subject)
    for column, clear in [
        ("name", b"Alice"),
        ("email", b"Example"),
        ("note", b"leaves"),
        ("born", b"1990"),
    ]:
        stored = _raw(probe.pk, column)
        assert stored[0] == 2 and clear not in stored


def test_ciphertext_copied_to_another_row_fails(subject) -> None:
    victim, attacker = _probe(subject), _probe(subject, name="Mallory")
    _write_raw(attacker.pk, "name", _raw(victim.pk, "name"))
    with pytest.raises(DecryptionError):
        Probe.objects.get(pk=attacker.pk).name  # noqa: B018


def test_ciphertext_moved_to_another_column_fails(subject) -> None:
    probe = _probe(subject)
    _write_raw(probe.pk, "note", _raw(probe.pk, "name"))
    with pytest.raises(DecryptionError):
        Probe.objects.get(pk=probe.pk).note  # noqa: B018


def test_ciphertext_of_another_subject_fails(vault) -> None:
    a, b = services.subject_create(), services.subject_create()
    victim, attacker = _probe(a), _probe(b)
    Probe.objects.filter(pk=victim.pk).update(subject=b)  # attacker re-parents the row
    with pytest.raises(DecryptionError):
        Probe.objects.get(pk=victim.pk).name  # noqa: B018
    assert Probe.objects.get(pk=attacker.pk).name == "Alice Liddell"


@pytest.mark.parametrize("damage", ["truncate", "flip", "garbage", "empty"])
def test_corrupted_ciphertext_fails_with_one_message(subject, damage: str) -> None:
    probe = _probe(subject)
    blob = _raw(probe.pk, "email")
    bad = {
        "truncate": blob[:-3],
        "flip": blob[:-1] + bytes([blob[-1] ^ 1]),
        "garbage": os.urandom(60),
        "empty": b"",
    }[damage]
    _write_raw(probe.pk, "email", bad)
    with pytest.raises(DecryptionError) as exc:
        Probe.objects.get(pk=probe.pk).email  # noqa: B018
    assert str(exc.value) == DecryptionError.MESSAGE


def test_wrong_kek_and_missing_key_file_fail_the_same_way(
    subject, vault, settings, tmp_path_factory
) -> None:
    probe = _probe(subject)
    settings.STRONGROOM_DATA_DIR = tmp_path_factory.mktemp("other")
    services.vault_init()  # a different KEK
    with pytest.raises(DecryptionError) as wrong:
        Probe.objects.get(pk=probe.pk).name  # noqa: B018
    keyfiles.kek_path(settings.STRONGROOM_DATA_DIR, 1).unlink()
    runtime.reset()
    with pytest.raises(DecryptionError) as missing:
        Probe.objects.get(pk=probe.pk).name  # noqa: B018
    assert str(wrong.value) == str(missing.value) == DecryptionError.MESSAGE


def test_plaintext_never_reaches_sql(subject) -> None:
    _probe(subject)
    with pytest.raises(UnsupportedOperation):
        list(Probe.objects.filter(email="Alice@Example.com"))
    with pytest.raises(UnsupportedOperation), transaction.atomic():
        Probe.objects.update(name="Bob")
    probe = Probe.objects.get()
    probe.name = "Bob"
    with pytest.raises(UnsupportedOperation), transaction.atomic():
        Probe.objects.bulk_update([probe], ["name"])


def test_unchanged_save_keeps_ciphertext_changed_save_reencrypts(subject) -> None:
    probe = _probe(subject)
    before = _raw(probe.pk, "name")
    loaded = Probe.objects.get(pk=probe.pk)
    loaded.plain = "touched"
    loaded.save()
    assert _raw(probe.pk, "name") == before
    loaded.name = "Alice L."
    loaded.save()
    assert _raw(probe.pk, "name") != before
    assert Probe.objects.get(pk=probe.pk).name == "Alice L."


def test_copying_a_row_reencrypts_for_the_new_pk(subject) -> None:
    original = Probe.objects.get(pk=_probe(subject).pk)
    original.pk = uuid.uuid4()
    original._state.adding = True
    original.save()
    assert Probe.objects.get(pk=original.pk).email == "Alice@Example.com"


def test_deferred_field_loads_and_decrypts(subject) -> None:
    probe = _probe(subject)
    assert Probe.objects.only("id").get(pk=probe.pk).note == "leaves at 5"


def test_values_queries_return_sealed_not_plaintext(subject) -> None:
    _probe(subject)
    value = Probe.objects.values_list("email", flat=True).get()
    assert type(value) is Sealed and "Example" not in repr(value)


def test_fifty_row_page_costs_one_key_query(vault, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(50):
            _probe(services.subject_create())
    runtime.keystore().forget_all()
    with CaptureQueriesContext(connection) as queries:
        page = list(Probe.objects.all())
        selectors.keys_preload(subject_ids=[p.subject_id for p in page])
        names = [(p.name, p.email, p.note) for p in page]
    assert len(names) == 50 and len(queries) == 2


def test_none_reads_back_as_none_but_is_stored_as_an_encrypted_marker(subject) -> None:
    probe = _probe(subject, phone=None, attrs=None, born=None)
    fresh = Probe.objects.get(pk=probe.pk)
    assert (fresh.phone, fresh.attrs, fresh.born) == (None, None, None)
    for column in ("phone", "attrs", "born"):
        assert _raw(probe.pk, column)[0] == 2  # not SQL NULL: see test_padding.py
    assert fresh.phone_index is not None  # a filler that matches no lookup
    assert not Probe.objects.filter(phone_index__in=selectors.blind_index_candidates("phone", ""))


@hsettings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    text=st.text(max_size=300),
    attrs=st.dictionaries(st.text(max_size=10), st.integers() | st.text(max_size=10), max_size=5),
)
def test_round_trip_property(subject, text: str, attrs: dict) -> None:
    probe = _probe(subject, note=text, attrs=attrs)
    fresh = Probe.objects.get(pk=probe.pk)
    assert (fresh.note, fresh.attrs) == (text, attrs)


# --- blind index ---------------------------------------------------------------------------


def test_blind_index_finds_normalised_values(subject) -> None:
    probe = _probe(subject)
    found = Probe.objects.filter(
        email_index__in=selectors.blind_index_candidates("email", "  alice@EXAMPLE.com ")
    )
    assert list(found) == [probe]
    by_phone = Probe.objects.filter(
        phone_index__in=selectors.blind_index_candidates("phone", "442079460018")
    )
    assert list(by_phone) == [probe]
    assert not Probe.objects.filter(
        email_index__in=selectors.blind_index_candidates("email", "bob@example.com")
    )
    assert "alice" not in probe.email_index.lower()


def test_blind_index_follows_changes(subject) -> None:
    probe = _probe(subject)
    probe.email = "new@example.com"
    probe.save()
    assert Probe.objects.filter(
        email_index__in=selectors.blind_index_candidates("email", "NEW@example.com")
    ).exists()


# --- crypto-shredding ------------------------------------------------------------------------


def test_shredded_subject_reads_erased_and_rows_still_save(subject) -> None:
    probe = _probe(subject)
    services.subject_shred(subject_id=subject.id)
    assert not DataKey.objects.filter(subject=subject).exists()
    fresh = Probe.objects.get(pk=probe.pk)
    assert fresh.name is ERASED and str(fresh.born) == "[erased]" and not fresh.email
    assert fresh.email_index is None  # no "was this email a customer?" oracle
    fresh.plain = "order kept for the tax office"
    fresh.save()
    with pytest.raises(SubjectErasedError):
        _probe(subject)


def test_shredding_reaches_other_processes_after_cache_expiry(subject) -> None:
    probe = _probe(subject)
    services.subject_shred(subject_id=subject.id)
    runtime.reset()  # a second process: nothing cached
    assert Probe.objects.get(pk=probe.pk).note is ERASED

"""``dumpdata`` / ``loaddata`` move ciphertext only, and a restore reads back.

Customers, a saved address, an account order and a guest order carry "canary" strings;
the dump (accounts before vault, so the rows come before their data keys) must hold
none of them in any letter case, and loading it into emptied tables must give back
every value, byte-identical ciphertext and a working sign-in by email (blind index).
The attacks: a malformed ciphertext in a fixture stops the whole load; a ciphertext
moved to another row, column or subject, or edited, loads but reads as DecryptionError,
never as another row's value; a fixture's ciphertext is never re-bound to a new pk.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import secrets
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core import serializers
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.core.serializers.base import DeserializationError
from django.test import Client

from strongroom.commerce.cart import services as cart_services
from strongroom.commerce.checkout.services import order_place
from strongroom.commerce.customers.models import Address
from strongroom.commerce.customers.services import AddressDetails, address_create
from strongroom.commerce.orders.models import Order
from strongroom.commerce.payments.models import Payment, Refund
from strongroom.protection.accounts.models import User
from strongroom.protection.vault import selectors, services
from strongroom.protection.vault.errors import DecryptionError, UnsupportedOperation
from strongroom.protection.vault.fields import ERASED, Opaque, Sealed
from strongroom.protection.vault.internal import runtime
from strongroom.protection.vault.models import DataKey, IndexKey, Probe, Subject
from strongroom.testing.factories import canaries_make, details_make, product_make, user_make

pytestmark = pytest.mark.django_db

PASSWORD = "canary passphrase for the restore"
# The vault's tables by name: the vault bench registers a model of its own (with no table
# outside its run) in the same app. Accounts first, so rows come before their data keys.
VAULT = ("vault.Subject", "vault.DataKey", "vault.IndexKey", "vault.Probe")
APPS = ("accounts", *VAULT, "customers", "orders", "payments")


def _needles(values: dict[str, str]) -> dict[str, str]:
    out = {k: v.lower() for k, v in values.items() if k != "country"}
    out["phone_digits"] = "".join(ch for ch in values["phone"] if ch.isdigit())
    return out


def _store(member: dict[str, str], guest: dict[str, str]) -> dict[str, Any]:
    """A customer with a saved address and an order, and a guest order."""
    user = user_make(email=member["email"], full_name=member["full_name"], password=PASSWORD)
    address = address_create(user=user, details=AddressDetails(
        **{k: member[k] for k in ("full_name", "line1", "line2", "city", "postal_code",
                                  "country", "phone")}))
    variant = product_make(stock=10).variants.get()
    orders = {}
    for who, values, buyer in (("member", member, user), ("guest", guest, None)):
        cart, _ = cart_services.cart_create()
        cart_services.cart_line_set(cart=cart, variant_id=variant.pk, quantity=1)
        orders[who], _ = order_place(
            cart=cart, user=buyer, shipping_method="standard",
            details=details_make(**{k: values[k] for k in (
                "email", "full_name", "line1", "line2", "city", "postal_code", "phone")}))
    return {"user": user, "address": address, **orders}


def _dump(*labels: str) -> str:
    out = io.StringIO()
    call_command("dumpdata", *labels, stdout=out)
    return out.getvalue()


def _wipe() -> None:
    """Empty the dumped tables (as on a fresh database), and forget every cached key."""
    Refund.objects.all().delete()
    Payment.objects.all().delete()
    Order.objects.all().delete()
    Address.objects.all().delete()
    for model in apps.get_app_config("accounts").get_models():
        model._base_manager.all().delete()
    for model in (DataKey, IndexKey, Probe, Subject):
        model._base_manager.all().delete()
    runtime.reset()


def _load(fixture: str | list, tmp_path: Path, name: str = "restore.json", **options: Any) -> str:
    path = tmp_path / name
    path.write_text(fixture if isinstance(fixture, str) else json.dumps(fixture))
    err = io.StringIO()
    call_command("loaddata", str(path), stdout=io.StringIO(), stderr=err, **options)
    runtime.reset()  # what the load cached must not stand in for what it stored
    return err.getvalue()


def _raw(model: type, pk: Any, column: str) -> bytes:
    value = model._base_manager.filter(pk=pk).values_list(column, flat=True).get()
    return bytes(value)


def _object(fixture: list[dict], model: str, pk: Any) -> dict:
    return next(o for o in fixture if o["model"] == model and o["pk"] == str(pk))


# --- the round trip ---------------------------------------------------------------------------


def test_a_dump_holds_only_ciphertext_and_restores_with_loaddata(tmp_path: Path) -> None:
    member, guest = canaries_make("M"), canaries_make("G")
    store = _store(member, guest)
    user, address = store["user"], store["address"]
    stored = {
        (User, user.pk, "email"): _raw(User, user.pk, "email"),
        (Address, address.pk, "line1"): _raw(Address, address.pk, "line1"),
        (Order, store["guest"].pk, "full_name"): _raw(Order, store["guest"].pk, "full_name"),
    }
    email_index = User.objects.values_list("email_index", flat=True).get(pk=user.pk)

    dump = _dump(*APPS)
    lowered = dump.lower()
    assert store["guest"].reference.lower() in lowered, "the search must see plaintext"
    for who, values in (("member", member), ("guest", guest)):
        for field, needle in _needles(values).items():
            assert needle not in lowered, f"{who}'s {field} is readable in the dump"
    objects = json.loads(dump)
    labels = [o["model"] for o in objects]
    assert labels.index("accounts.user") < labels.index("vault.datakey")  # keys come later
    assert _object(objects, "accounts.user", user.pk)["fields"]["email_index"] == email_index

    _wipe()
    assert not User.objects.exists() and not DataKey.objects.exists()
    _load(dump, tmp_path)

    for (model, pk, column), ciphertext in stored.items():
        assert _raw(model, pk, column) == ciphertext  # restored byte for byte
    restored = User.objects.get_by_natural_key(member["email"].upper())  # the blind index
    assert (restored.pk, restored.email, restored.full_name) == (
        user.pk, user.email, member["full_name"])
    assert restored.email.lower() == member["email"].lower()
    saved = Address.objects.get(pk=address.pk)
    for field in ("full_name", "line1", "line2", "city", "postal_code", "country", "phone"):
        assert getattr(saved, field) == member[field]
    assert Address.objects.filter(
        phone_index__in=selectors.blind_index_candidates("phone", member["phone"])).exists()
    for who, values in (("member", member), ("guest", guest)):
        order = Order.objects.get(pk=store[who].pk)
        for field in ("email", "full_name", "line1", "line2", "city", "postal_code", "phone"):
            assert getattr(order, field) == values[field], (who, field)
    assert Order.objects.get(pk=store["guest"].pk).subject_id != restored.subject_id

    client = Client()
    response = client.post("/account/login/", {"username": member["email"].lower(),
                                               "password": PASSWORD}, secure=True)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.parametrize("fmt", ["json", "jsonl", "xml"])
def test_every_field_type_round_trips_and_none_is_dumped_in_clear(
    subject, tmp_path: Path, fmt: str
) -> None:
    # A date and a JSON number are values Django's serializer would write as they are,
    # without value_to_string, if the field handed it the plaintext.
    values = {"name": "Ottoline Quarrendon", "email": "Otto@Quarrendon.TEST",
              "phone": "+44 20 7946 0958", "note": "leaves the parcel with Zebedee",
              "attrs": 739215048163, "born": dt.date(1931, 7, 29)}
    probe = Probe.objects.create(subject=subject, **values)
    empty = Probe.objects.create(subject=subject, name="", email="", note="")
    dump = _dump(*VAULT, f"--format={fmt}")
    # Needles long enough not to turn up in base64 ciphertext by chance ("1931" alone did,
    # once in about a thousand runs); each is how Django would write the plaintext.
    for needle in ("ottoline", "quarrendon", "zebedee", "739215048163", "1931-07-29",
                   "7946 0958"):
        assert needle not in dump.lower(), needle

    _wipe()
    _load(dump, tmp_path, f"probes.{fmt}")
    fresh = Probe.objects.get(pk=probe.pk)
    assert {k: getattr(fresh, k) for k in values} == values
    blank = Probe.objects.get(pk=empty.pk)
    assert (blank.name, blank.phone, blank.attrs, blank.born) == ("", None, None, None)
    assert Probe.objects.filter(
        email_index__in=selectors.blind_index_candidates("email", "otto@quarrendon.test")
    ).get() == fresh


def test_an_erased_subject_stays_erased_through_a_restore(subject, tmp_path: Path) -> None:
    probe = Probe.objects.create(subject=subject, name="Shredded Sheila", email="s@x.test")
    services.subject_shred(subject_id=subject.id)
    dump = _dump(*VAULT)
    assert "sheila" not in dump.lower()
    _wipe()
    _load(dump, tmp_path)
    fresh = Probe.objects.get(pk=probe.pk)
    assert fresh.name is ERASED and fresh.email_index is None


def test_a_row_not_yet_saved_is_never_serialized(subject) -> None:
    unsaved = Probe(subject=subject, name="Not Yet Sealed", born=dt.date(1931, 7, 29))
    with pytest.raises(UnsupportedOperation):
        serializers.serialize("json", [unsaved])
    loaded = Probe.objects.get(pk=Probe.objects.create(subject=subject, name="A").pk)
    loaded.name  # noqa: B018 - opened for its row...
    loaded.pk = uuid.uuid4()  # ...then moved: its ciphertext would not restore there
    with pytest.raises(UnsupportedOperation):
        serializers.serialize("json", [loaded])


# --- attacks on the fixture -------------------------------------------------------------------


def _b64(blob: bytes) -> str:
    return "vault1:" + base64.b64encode(blob).decode("ascii")


def _damaged(value: str, damage: str) -> str:
    encoded = value.removeprefix("vault1:")
    blob = base64.b64decode(encoded)
    padded = base64.b64encode(blob[: len(blob) - (len(blob) - 2) % 3]).decode()  # one "="
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    loose = alphabet[alphabet.index(padded[-2]) ^ 1]  # an unused bit: same bytes, other text
    return {
        "not base64": "vault1:" + encoded[:10] + "!" + encoded[11:],
        "line break": "vault1:" + encoded[:16] + "\n" + encoded[16:],
        "no padding": "vault1:" + padded.rstrip("="),
        "loose padding bits": "vault1:" + padded[:-2] + loose + "=",
        "version byte": _b64(b"\x03" + blob[1:]),
        "truncated": _b64(blob[:20]),
        "empty": "vault1:",
    }[damage]


@pytest.mark.parametrize("damage", ["not base64", "line break", "no padding",
                                    "loose padding bits", "version byte", "truncated",
                                    "empty"])
def test_a_malformed_ciphertext_stops_the_whole_load(tmp_path: Path, damage: str) -> None:
    first, last = user_make(full_name="First Loaded"), user_make(full_name="Last Loaded")
    fixture = json.loads(_dump(*VAULT, "accounts"))  # the users come after the keys
    target = _object(fixture, "accounts.user", last.pk)
    target["fields"]["full_name"] = _damaged(target["fields"]["full_name"], damage)
    _wipe()
    with pytest.raises(DeserializationError, match="Not a valid encrypted value"):
        _load(fixture, tmp_path)
    # Nothing half-written: the keys and the first user had been saved before the bad row.
    assert not Subject.objects.exists() and not DataKey.objects.exists()
    assert not User.objects.filter(pk__in=[first.pk, last.pk]).exists()


@pytest.mark.parametrize("damage", ["not base64", "line break", "no padding",
                                    "loose padding bits", "version byte", "truncated",
                                    "empty"])
def test_malformed_ciphertext_is_a_validation_error_of_the_field(damage: str) -> None:
    field = Probe._meta.get_field("name")
    good = _b64(b"\x01" + secrets.token_bytes(47))
    assert type(field.to_python(good)) is Opaque
    with pytest.raises(ValidationError) as error:
        field.to_python(_damaged(good, damage))
    assert error.value.code == "invalid_ciphertext"
    assert field.to_python("vault 1: just a note") == "vault 1: just a note"  # plaintext


@pytest.mark.parametrize("move", ["another user", "another address of the same subject",
                                  "another column", "edited"])
def test_a_moved_or_edited_ciphertext_reads_as_decryption_error(
    tmp_path: Path, move: str
) -> None:
    alice = user_make(full_name="Alice Victim")
    mallory = user_make(full_name="Mallory Attacker")
    details = dict(line1="1 Home Road", city="Victimville", postal_code="11111", country="DE")
    home = address_create(user=alice, details=AddressDetails(full_name="Alice", **details))
    work = address_create(user=alice, details=AddressDetails(
        full_name="Alice", **{**details, "line1": "2 Work Lane"}))
    fixture = json.loads(_dump("accounts", *VAULT, "customers"))
    victim_user = _object(fixture, "accounts.user", alice.pk)["fields"]
    attacker_user = _object(fixture, "accounts.user", mallory.pk)["fields"]
    home_row = _object(fixture, "customers.address", home.pk)["fields"]
    work_row = _object(fixture, "customers.address", work.pk)["fields"]
    if move == "another user":  # another row, another subject's key
        attacker_user["full_name"] = victim_user["full_name"]
        model, pk, field = User, mallory.pk, "full_name"
    elif move == "another address of the same subject":  # same key: the pk is what fails
        work_row["line1"] = home_row["line1"]
        model, pk, field = Address, work.pk, "line1"
    elif move == "another column":
        home_row["city"] = home_row["line1"]
        model, pk, field = Address, home.pk, "city"
    else:
        blob = bytearray(base64.b64decode(victim_user["full_name"].removeprefix("vault1:")))
        blob[-1] ^= 1
        victim_user["full_name"] = _b64(bytes(blob))
        model, pk, field = User, alice.pk, "full_name"
    _wipe()
    with pytest.raises(CommandError, match=rf"{model._meta.label} {pk}: the encrypted field "
                       rf"'{field}' does not open .*nothing was loaded"):
        _load(fixture, tmp_path)  # checked before the load commits
    assert not User.objects.exists() and not Address.objects.exists()
    assert not DataKey.objects.exists()
    # Loaded anyway (restoring a database that already held a damaged row), the value
    # reads as DecryptionError, never as another row's value.
    warning = _load(fixture, tmp_path, accept_undecryptable=True)
    assert "1 encrypted value(s) do not open" in warning
    with pytest.raises(DecryptionError):
        getattr(model.objects.get(pk=pk), field)
    assert Address.objects.get(pk=home.pk).line1 == "1 Home Road"  # the original still reads


def test_a_restore_under_another_kek_is_refused_and_loads_nothing(
    tmp_path: Path, settings
) -> None:
    user_make(email="kek.canary@example.test", full_name="Kathrin Kek")
    dump = _dump("accounts", *VAULT)
    _wipe()
    settings.STRONGROOM_KEK = base64.b64encode(secrets.token_bytes(32)).decode()
    runtime.reset()
    with pytest.raises(CommandError, match="does not open .*nothing was loaded"):
        _load(dump, tmp_path)
    assert not User.objects.exists() and not DataKey.objects.exists()
    assert not Subject.objects.exists()


# --- where the ciphertext came from -----------------------------------------------------------


def test_copying_a_loaded_row_to_a_new_pk_reencrypts_it(subject) -> None:
    original = Probe.objects.create(subject=subject, name="Copied Carla", born=dt.date(1990, 1, 2))
    copy = Probe.objects.get(pk=original.pk)
    assert type(copy.__dict__["name"]) is Sealed  # loaded, never read
    copy.pk = uuid.uuid4()
    copy._state.adding = True
    copy.save()
    for column in ("name", "born"):
        assert _raw(Probe, copy.pk, column) != _raw(Probe, original.pk, column)
    runtime.reset()
    fresh = Probe.objects.get(pk=copy.pk)
    assert (fresh.name, fresh.born) == ("Copied Carla", dt.date(1990, 1, 2))


@pytest.mark.parametrize("save", ["loaddata's raw save", "Model.save"])
def test_a_fixture_ciphertext_is_never_rebound_to_another_pk(subject, save: str) -> None:
    original = Probe.objects.create(subject=subject, name="Bound Bertha")
    (item,) = serializers.deserialize("json", serializers.serialize("json", [original]))
    assert type(item.object.name) is Opaque  # carried, not opened: no plaintext, no key
    item.object.pk = uuid.uuid4()
    if save == "Model.save":
        item.object._state.adding = True
        item.object.save()
    else:
        item.save()
    assert _raw(Probe, item.object.pk, "name") == _raw(Probe, original.pk, "name")
    runtime.reset()
    with pytest.raises(DecryptionError):
        Probe.objects.get(pk=item.object.pk).name  # noqa: B018
    assert Probe.objects.get(pk=original.pk).name == "Bound Bertha"


def test_a_plaintext_fixture_is_encrypted_as_it_loads(vault, tmp_path: Path) -> None:
    subject_id, probe_id, user_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    fixture = [
        {"model": "vault.subject", "pk": str(subject_id), "fields": {}},
        {"model": "vault.probe", "pk": str(probe_id), "fields": {
            "subject": str(subject_id), "name": "Devdata Dorothea", "email": "Dev@Data.TEST",
            "note": "fixture note", "attrs": {"tier": "gold"}, "born": "1980-02-03"}},
        {"model": "accounts.user", "pk": str(user_id), "fields": {
            "subject": str(subject_id), "email": "dev.user@data.test", "full_name": "Dev User",
            "password": "!", "date_joined": "2024-01-01T00:00:00Z"}},
    ]
    _load(fixture, tmp_path)
    for column, clear in (("name", b"Dorothea"), ("born", b"1980"), ("attrs", b"gold")):
        assert clear not in _raw(Probe, probe_id, column)
    fresh = Probe.objects.get(pk=probe_id)
    assert (fresh.name, fresh.attrs, fresh.born) == (
        "Devdata Dorothea", {"tier": "gold"}, dt.date(1980, 2, 3))
    assert Probe.objects.filter(
        email_index__in=selectors.blind_index_candidates("email", "dev@data.test")).get() == fresh
    assert User.objects.get_by_natural_key("DEV.USER@data.test").full_name == "Dev User"
    assert b"dev.user" not in _raw(User, user_id, "email")


def test_a_ciphertext_cannot_be_typed_in_as_a_value(subject) -> None:
    victim = Probe.objects.create(subject=subject, name="Victoria Victim")
    stolen = _b64(_raw(Probe, victim.pk, "name"))
    attacker = Probe(subject=subject, name=stolen, email="m@x.test", note="n")
    with pytest.raises(ValidationError) as error:
        attacker.full_clean()  # what a ModelForm runs on what a person typed
    assert error.value.error_dict["name"][0].code == "ciphertext_not_accepted"
    attacker.name = "vault1:%%%"
    with pytest.raises(ValidationError):
        attacker.full_clean()
    attacker.name = stolen  # assigned by code, it is plaintext like any other string
    attacker.save()
    assert Probe.objects.get(pk=attacker.pk).name == stolen


def test_natural_foreign_keys_do_not_leak_the_email() -> None:
    # User.natural_key() would be the plaintext email: references fall back to the pk.
    user = user_make(email="natural.key.canary@example.test")
    address_create(user=user, details=AddressDetails(
        full_name="N", line1="1 Road", city="Town", postal_code="12345", country="DE"))
    dump = _dump("customers", "--natural-foreign")
    assert "natural.key.canary" not in dump.lower()
    assert str(user.pk) in dump  # the address still names its owner, by primary key

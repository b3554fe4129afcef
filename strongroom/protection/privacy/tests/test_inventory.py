"""The data inventory: every field classified (privacy.E001), with valid fideslang names."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models

from strongroom import inventory
from strongroom.inventory import OPERATIONAL, Use, declare
from strongroom.protection.privacy import checks
from strongroom.protection.privacy.inventory import (
    inventory_invalid,
    inventory_missing,
    inventory_rows,
    model_fields,
)
from strongroom.protection.privacy.taxonomy import DATA_CATEGORIES, FIDESLANG_VERSION


def test_every_field_of_every_installed_model_is_classified() -> None:
    assert inventory_missing() == []
    assert inventory_invalid() == []
    assert checks.inventory_complete() == []
    assert checks.inventory_valid() == []
    covered = {(r.model, r.field) for r in inventory_rows()}
    for model in apps.get_models():  # Django's contrib apps included
        if not model._meta.proxy and not getattr(model, "privacy_exempt", ""):
            for name in model_fields(model):
                assert (model._meta.label, name) in covered


def test_known_personal_fields_carry_their_fideslang_category() -> None:
    rows = {(r.model, r.field): r for r in inventory_rows()}
    assert rows[("accounts.User", "email")].category == "user.contact.email"
    assert rows[("orders.Order", "phone")].category == "user.contact.phone_number"
    assert rows[("payments.Payment", "card_last4")].category == "user.financial.credit_card"
    assert rows[("orders.Order", "total")].category == "system.operations"
    assert rows[("orders.Order", "total")].use.basis == "legal_obligation"
    assert rows[("sessions.Session", "session_key")].personal  # from the fallback table


def test_shipped_taxonomy_is_the_published_fideslang_one() -> None:
    # fideslang 3.1.4 data categories: 85 keys, each a dotted path whose parent is a key.
    assert FIDESLANG_VERSION == "3.1.4"
    assert len(DATA_CATEGORIES) == 85
    for key in DATA_CATEGORIES:
        parent = key.rpartition(".")[0]
        assert not parent or parent in DATA_CATEGORIES, key
    assert {"user.contact.email", "user.financial", "system.operations"} <= DATA_CATEGORIES
    used = {r.category for r in inventory_rows()}
    assert used <= DATA_CATEGORIES


@pytest.fixture
def new_model():
    """A model added by "another engineer" with a field nobody classified."""

    class LoyaltyCard(models.Model):
        number = models.CharField(max_length=20)
        birthday = models.DateField(null=True)

        class Meta:
            app_label = "privacy"

    yield LoyaltyCard
    for key in [k for k in inventory._declared if k[0] == "privacy.LoyaltyCard"]:
        del inventory._declared[key]
    del apps.all_models["privacy"]["loyaltycard"]
    apps.clear_cache()


def test_E001_fails_for_an_unclassified_field(new_model) -> None:
    errors = checks.inventory_complete()
    assert {e.id for e in errors} == {"privacy.E001"}
    assert sorted(e.msg for e in errors) == [
        "privacy.LoyaltyCard.birthday is not in the data inventory",
        "privacy.LoyaltyCard.id is not in the data inventory",
        "privacy.LoyaltyCard.number is not in the data inventory",
    ]
    declare("privacy.LoyaltyCard", OPERATIONAL, system=["id", "number"])
    assert [e.msg for e in checks.inventory_complete()] == [
        "privacy.LoyaltyCard.birthday is not in the data inventory"]
    declare("privacy.LoyaltyCard", Use("account", "contract", "account"),
            personal={"birthday": "user.demographic.birthday"})  # not a fideslang key
    assert any("user.demographic.birthday" in e.msg and e.id == "privacy.E002"
               for e in checks.inventory_valid())
    declare("privacy.LoyaltyCard", Use("account", "contract", "account"),
            personal={"birthday": "user.demographic.date_of_birth"})
    assert checks.inventory_complete() == []
    assert checks.inventory_valid() == []


def test_personal_data_without_a_legal_basis_is_refused(new_model) -> None:
    declare("privacy.LoyaltyCard", OPERATIONAL, system=["id", "birthday"],
            personal={"number": "user.unique_id"})
    assert checks.inventory_valid()[0].msg == (
        "privacy.LoyaltyCard.number: personal data (user.unique_id) needs a legal basis")


@pytest.mark.parametrize("fmt", ["json", "csv", "table"])
def test_inventory_command(fmt: str) -> None:
    out = StringIO()
    call_command("privacy", "inventory", "--format", fmt, stdout=out)
    text = out.getvalue()
    assert "accounts.User" in text and "user.contact.email" in text
    if fmt == "json":
        records = json.loads(text)
        assert {"model", "field", "category", "purpose", "basis", "retention",
                "copies"} == set(records[0])
        assert len(records) == len(inventory_rows())


def test_missing_prints_a_skeleton_and_exits_1(new_model) -> None:
    from django.core.management.base import CommandError

    out = StringIO()
    with pytest.raises(CommandError) as info:
        call_command("privacy", "inventory", "--missing", stdout=out)
    assert info.value.returncode == 1
    assert "declare('privacy.LoyaltyCard'" in out.getvalue()
    assert "from strongroom.inventory import Use, declare" in out.getvalue()
    assert "'number'" in out.getvalue() and "'birthday'" in out.getvalue()

import pytest

from strongroom.masking import mask_email, mask_field, mask_name, mask_phone
from strongroom.protection.vault.fields import ERASED


@pytest.mark.parametrize(("value", "masked"), [
    ("jane@example.com", "j•••@e•••.com"),
    ("J.Doe+shop@mail.example.co.uk", "J•••@m•••.uk"),
    ("x@localhost", "x•••@l•••"),
    ("not-an-email", "n•••"),
    ("", ""),
    (None, ""),
])
def test_mask_email(value, masked):
    assert mask_email(value) == masked


@pytest.mark.parametrize(("value", "masked"), [
    ("+49 170 1231234", "••• ••• 1234"),
    ("0170-555-9876", "••• ••• 9876"),
    ("12345", "••• ••• •••"),  # too short to show digits of
    ("", ""),
])
def test_mask_phone(value, masked):
    assert mask_phone(value) == masked


def test_mask_name_and_address_and_erased():
    assert mask_name("Cara  Customer") == "C••• C•••"
    assert mask_field("line1", "9 Elm Road") == "•••"
    assert mask_field("postal_code", "") == ""
    for name in ("email", "phone", "full_name", "line1"):
        assert mask_field(name, ERASED) == "[erased]"


def test_masks_never_contain_the_secret_part():
    email = "secretname@hiddendomain.org"
    assert "secret" not in mask_email(email) and "hidden" not in mask_email(email)
    assert "170" not in mask_phone("+49 170 1231234")

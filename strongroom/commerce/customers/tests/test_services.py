import pytest

from strongroom.commerce.customers import selectors, services
from strongroom.commerce.customers.errors import AddressNotFound, CustomerError
from strongroom.commerce.customers.services import AddressDetails
from strongroom.testing.factories import user_make

pytestmark = pytest.mark.django_db


def _details(**overrides) -> AddressDetails:
    values = {"full_name": "Ada Lovelace", "line1": "12 St James's Square", "city": "London",
              "postal_code": "SW1Y 4JH", "country": "gb"}
    values.update(overrides)
    return AddressDetails(**values)


def test_first_address_is_default_and_default_moves():
    user = user_make()
    first = services.address_create(user=user, details=_details())
    assert first.is_default and first.country == "GB"
    second = services.address_create(user=user, details=_details(line1="2 Road"),
                                      make_default=True)
    first.refresh_from_db()
    assert second.is_default and not first.is_default
    services.address_set_default(address=first)
    assert [a.line1 for a in selectors.address_list_for_user(user=user)][0] == first.line1
    services.address_delete(address=first)
    second.refresh_from_db()
    assert second.is_default


def test_addresses_are_scoped_to_their_owner():
    owner, other = user_make(), user_make()
    address = services.address_create(user=owner, details=_details())
    assert selectors.address_get_for_user(user=owner, address_id=address.pk) == address
    for bad in (address.pk, "nonsense", None, 12, "\x00"):
        with pytest.raises(AddressNotFound):
            selectors.address_get_for_user(user=other, address_id=bad)
    assert selectors.address_default_for_user(user=other) is None


@pytest.mark.parametrize("overrides, field", [
    ({"country": "XX"}, "country"), ({"line1": " "}, "line1"), ({"city": "x" * 101}, "city"),
    ({"phone": "ring ring"}, "phone"), ({"full_name": ""}, "full_name"),
])
def test_bad_address_names_the_field(overrides, field):
    with pytest.raises(CustomerError) as exc:
        services.address_create(user=user_make(), details=_details(**overrides))
    assert exc.value.field == field

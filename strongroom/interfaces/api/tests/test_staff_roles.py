"""The API is for customers: no staff role gets a token, and a staff token made some
other way opens nothing (staff use the console, behind MFA and the role table)."""

from __future__ import annotations

import pytest

from strongroom.protection.access.roles import Role
from strongroom.protection.accounts.tokens import api_token_create
from strongroom.testing.staff import staff_make

from .conftest import PASSWORD, assert_error

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", [*Role, None])
def test_every_staff_role_is_refused_by_the_api(api, role):
    staff = staff_make(role)
    assert_error(api.post("/api/auth/token", {"email": staff.email, "password": PASSWORD}),
                 403, "staff_token_refused")
    _, raw = api_token_create(user=staff)
    for path in ("/api/orders", "/api/orders/SR-AAAAAAAAAAAA", "/api/cart"):
        assert_error(api.get(path, token=raw), 401)

"""Role fixtures for console tests. Import the ones a module needs, e.g.
``from .roles_fixtures import staff, staff_client`` (overrides conftest's role-less
``staff`` with an admin whose session has passed MFA)."""

from __future__ import annotations

import pytest

from strongroom.protection.access.roles import Role
from strongroom.testing.staff import console_client, staff_make


@pytest.fixture
def staff(db):
    return staff_make(Role.ADMIN, email="staff@example.test", full_name="Sam Staff")


@pytest.fixture
def staff_client(staff):
    return console_client(staff)


@pytest.fixture
def role_user(db):
    """``role_user(Role.SUPPORT)`` -> a new staff account with that role."""
    return staff_make


@pytest.fixture
def as_role(db):
    """``as_role(Role.SUPPORT)`` -> (user, console client with MFA just verified)."""

    def make(role, **kwargs):
        user = staff_make(role, **kwargs)
        return user, console_client(user)

    return make

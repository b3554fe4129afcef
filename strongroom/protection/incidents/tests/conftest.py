from __future__ import annotations

import pytest
from django.test import RequestFactory

from strongroom.protection.access.roles import FieldGroup, Role
from strongroom.protection.access.services import field_reveal
from strongroom.testing.factories import user_make
from strongroom.testing.staff import staff_make


@pytest.fixture
def breach(settings):
    """A support account that revealed 30 customers' emails, and an owner who revealed
    3 others (not in the support account's scope)."""
    settings.STRONGROOM_REVEAL_LIMIT = 1000
    support = staff_make(Role.SUPPORT)
    owner = staff_make(Role.OWNER)
    victims = [user_make() for _ in range(30)]
    others = [user_make() for _ in range(3)]
    for person in victims:
        field_reveal(viewer=support, subject_id=person.subject_id, obj=person,
                     groups=[FieldGroup.EMAIL], reason="ticket",
                     request=RequestFactory().get("/", REMOTE_ADDR="203.0.113.7"))
    for person in others:
        field_reveal(viewer=owner, subject_id=person.subject_id, obj=person,
                     groups=[FieldGroup.PHONE], reason="ticket",
                     request=RequestFactory().get("/", REMOTE_ADDR="198.51.100.1"))
    return support, owner, victims, others

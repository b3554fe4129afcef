"""Staff accounts with roles, and console clients that have passed MFA, for tests.

Built on the accounts helpers (``strongroom.testing.accounts``): every staff account
has a confirmed TOTP device, and ``console_client(user)`` signs in as if password and
second factor were just given, so role tests exercise the role table, not the MFA flow
(which has tests of its own). ``mfa_stamp(client, at=0)`` makes the check stale.
"""

from __future__ import annotations

import itertools
import time

from django.test import Client

from strongroom.protection.access.models import StaffRole
from strongroom.protection.access.roles import Role
from strongroom.protection.accounts.selectors import MFA_VERIFIED_AT
from strongroom.testing.accounts import mfa_login
from strongroom.testing.accounts import staff_make as _mfa_staff_make

_seq = itertools.count(1)


class HttpsClient(Client):
    """Every request over HTTPS (``secure=True``), as production serves the console."""

    def generic(self, *args, secure: bool = True, **kwargs):
        return super().generic(*args, secure=True, **kwargs)


def staff_make(role: Role | str | None, *, email: str | None = None,
               full_name: str | None = None, superuser: bool = False, trained: bool = True):
    """An active staff account with ``role`` (None: a staff account without a role);
    ``trained``: with current training (else the training gate masks customer data)."""
    n = next(_seq)
    name = role.value if isinstance(role, Role) else (role or "norole")
    user = _mfa_staff_make(email=email or f"{name}{n}@staff.example.test", trained=trained,
                           full_name=full_name or f"{name.replace('_', ' ').title()} Person{n}")
    if superuser:
        user.is_superuser = True
        user.save(update_fields=["is_superuser"])
    if role is not None:
        StaffRole.objects.create(user=user, role=Role(role))
    return user


def mfa_stamp(client: Client, *, at: float | None = None) -> None:
    session = client.session
    session[MFA_VERIFIED_AT] = time.time() if at is None else at
    session.save()


def console_client(user, *, mfa: bool = True) -> Client:
    """A client signed in as ``user``; ``mfa``: with a second factor just verified."""
    client = HttpsClient()
    if mfa:
        return mfa_login(client, user)
    client.force_login(user)
    return client

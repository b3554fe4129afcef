from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from strongroom.protection.accounts.throttling import throttle
from strongroom.testing.accounts import staff_make

pytestmark = pytest.mark.django_db


def test_unlock_and_force_reset(capsys):
    staff = staff_make(email="locked@example.test")
    for _ in range(throttle.STAFF_LOCK_AFTER):
        throttle.throttle_failure(email=staff.email, ip="192.0.2.1", user=staff)
    assert throttle.throttle_check(email=staff.email, ip="192.0.2.2") is not None
    call_command("accounts", "unlock", "LOCKED@example.test")
    assert throttle.throttle_check(email=staff.email, ip="192.0.2.2") is None
    call_command("accounts", "force-reset", staff.email, "--reason", "leaver")
    staff.refresh_from_db()
    assert staff.password_reset_required
    call_command("accounts", "alerts")
    out = capsys.readouterr().out
    assert "signin.staff_locked" in out and "[medium, open]" in out
    with pytest.raises(CommandError):
        call_command("accounts", "unlock", "nobody@example.test")

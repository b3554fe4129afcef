import time
from datetime import timedelta
from types import SimpleNamespace

import pytest

from strongroom.protection.accounts.selectors import MFA_VERIFIED_AT, mfa_fresh


def _request(stamp):
    return SimpleNamespace(session={} if stamp is None else {MFA_VERIFIED_AT: stamp})


@pytest.mark.parametrize("stamp, fresh", [
    (None, False), ("1700000000", False), (True, False),
    (1000.0, True), (1000 - 299, True), (1000 - 301, False), (1000 + 60, False),
])
def test_mfa_fresh(stamp, fresh):
    assert mfa_fresh(request=_request(stamp), now=1000.0) is fresh


def test_mfa_fresh_default_clock_and_age():
    assert mfa_fresh(request=_request(time.time()))
    assert not mfa_fresh(request=_request(time.time() - 120), max_age=timedelta(minutes=1))

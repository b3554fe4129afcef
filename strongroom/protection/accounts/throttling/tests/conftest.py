"""The accounts test fixtures, for the throttling tests that moved with their code."""

from strongroom.protection.accounts.tests.conftest import (  # noqa: F401 - fixtures
    client,
    customer,
    make_client,
    sends,
    throttle_backend,
)

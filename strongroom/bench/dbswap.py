"""Benchmarks that need a database of their own point Django's default connection at it
for a block and put the real one back afterwards (bench only: never in a serving store)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def default_database(db: dict[str, Any]) -> Iterator[None]:
    """The default connection (this thread's, and new threads') uses ``db`` (merged over
    the real settings) inside the block. The vault's key caches are emptied on the way in
    and out: they are keyed by row ids (data keys, the index key) that mean other keys in
    another database."""
    from django.db import connections  # after Django's setup (make bench sets it up late)

    from strongroom.protection.vault.internal.runtime import keystore

    real = connections.settings["default"]
    local = connections._connections  # thread-local holder of live connections
    real_connection = getattr(local, "default", None)
    connections.settings["default"] = {**real, **db}
    local.default = connections.create_connection("default")
    keystore().forget_all()
    try:
        yield
    finally:
        keystore().forget_all()
        local.default.close()
        connections.settings["default"] = real
        if real_connection is None:
            del local.default
        else:
            local.default = real_connection

"""Fixtures for the backup tests: real folders, the real recovery key, a store with
canary data committed (backups read the database from another connection or process)."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from django.db import connection

from strongroom.commerce.cart import services as cart_services
from strongroom.commerce.orders import services as order_services
from strongroom.config import BackupConfig
from strongroom.protection.backups.internal.snapshot import database_drop
from strongroom.protection.backups.services import recovery_key_init
from strongroom.testing.factories import canaries_make, details_make, product_make, user_make


@pytest.fixture
def recovery_key(tmp_path: Path) -> Path:
    identity, _ = recovery_key_init(replace=True)
    path = tmp_path / "recovery-key.txt"
    path.write_text(identity)
    return path


@pytest.fixture
def folders(tmp_path: Path, settings) -> tuple[Path, Path]:
    one, two = tmp_path / "disk-one", tmp_path / "disk-two"
    settings.STRONGROOM_BACKUPS = BackupConfig(destinations=(f"file://{one}", f"file://{two}"))
    return one, two


@pytest.fixture
def store(db) -> dict:
    """A customer and a guest order carrying canaries, and a product with a unique name."""
    canary = canaries_make("Bk")
    customer = user_make(email=canary["email"], full_name=canary["full_name"])
    product = product_make(name=f"Wombat Lamp {secrets.token_hex(4)}", stock=5)
    cart, _ = cart_services.cart_create()
    cart_services.cart_line_set(cart=cart, variant_id=product.variants.get().pk, quantity=1)
    guest = canaries_make("Gu")
    order_services.order_place(cart=cart, details=details_make(
        **{k: guest[k] for k in ("email", "full_name", "line1", "city", "postal_code",
                                 "country")}), shipping_method="standard")
    return {"customer": customer, "canary": canary, "guest": guest,
            "product": product.name}


@pytest.fixture
def into(tmp_path: Path):
    """A name for a database a test restores into (dropped afterwards)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        name = str(tmp_path / "restored.sqlite3")
    else:
        name = f"{db['NAME'][:30]}_into_{secrets.token_hex(3)}"
    yield name
    database_drop(db=db, name=name)

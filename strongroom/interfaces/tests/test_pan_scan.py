"""PCI DSS SAQ A, proved: purchases with every test card through the live store and its
sandbox gateway, then the store's database (SQLite file + WAL, or a pg_dump), its logs and
its data directory — the gateway's own folder excepted — hold no card number at all."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import expect

from strongroom.sandbox.cards import TEST_CARDS

from .test_payments_browser import _checkout_to_gateway, _type_card

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("live-store")]


def _forms(number: str) -> list[bytes]:
    groups = [number[i:i + 4] for i in range(0, len(number), 4)]
    return [number.encode(), " ".join(groups).encode(), "-".join(groups).encode()]


def pan_hits(blob: bytes) -> list[str]:
    return [number for number in TEST_CARDS for form in _forms(number) if form in blob]


def test_the_scanner_finds_what_it_looks_for():
    assert pan_hits(b"xx 4242 4242 4242 4242 yy") == ["4242424242424242"]
    assert pan_hits(b"nothing here 4242") == []


def _files(root: Path, *, skip: Path | None = None):
    for path in root.rglob("*"):
        # SQLite's -shm file is a shared-memory index of the WAL (no row data) that comes
        # and goes while the server runs; the -wal file itself is scanned.
        if path.name.endswith("-shm"):
            continue
        if path.is_file() and not (skip and skip in path.parents):
            yield path


def test_no_card_number_reaches_the_store(page, live_store):
    for number in TEST_CARDS:
        _checkout_to_gateway(page, live_store)
        _type_card(page, number)
        if number.endswith("3220"):
            page.locator("#auth-complete").click()
        if TEST_CARDS[number][0] in ("success", "requires_action"):
            expect(page.locator("#payment-state")).to_contain_text("Paid")
        else:
            expect(page.locator("#payment-error")).to_be_visible()
            page.locator("#cancel-link").click()
            expect(page.locator("#payment-state")).to_contain_text("Payment declined")

    hits: dict[str, list[str]] = {}
    gateway_dir = live_store.data_dir / "gateway"
    assert (gateway_dir / "gateway.sqlite3").exists()  # the gateway did the work
    scanned = list(_files(live_store.data_dir, skip=gateway_dir))
    scanned += [p for p in live_store.data_dir.parent.glob("*.log")]  # serve.log, gateway.log
    assert any(p.name.endswith(".sqlite3") for p in scanned) or not live_store.env.get(
        "STRONGROOM_DATABASE_URL", "sqlite").startswith("sqlite")
    for path in scanned:
        found = pan_hits(path.read_bytes())
        if found:
            hits[str(path)] = found
    url = live_store.env.get("STRONGROOM_DATABASE_URL", "")
    if url.startswith("postgres"):
        if not shutil.which("pg_dump"):
            pytest.fail("pg_dump is needed to scan the PostgreSQL database")
        dump = subprocess.run(["pg_dump", "--no-owner", url], capture_output=True,
                              check=True, timeout=120, env={**os.environ}).stdout
        assert re.search(rb"COPY public\.payments_payment", dump)
        if pan_hits(dump):
            hits["pg_dump"] = pan_hits(dump)
    assert hits == {}

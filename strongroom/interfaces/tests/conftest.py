import os
import shutil

import pytest

from strongroom.testing.live import live_store_start, spki_fingerprint

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def live_store():
    store = live_store_start()
    yield store
    store.stop()


# One browser per test module, not per session: Playwright's sync API leaves its event loop
# marked as running in this thread while the browser is open, and Django then refuses every
# database call in the tests that follow in the same worker (SynchronousOnlyOperation).
@pytest.fixture(scope="module")
def browser(live_store):
    if not shutil.which(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is missing: apt-get install chromium")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    server_cert = live_store.data_dir / "tls" / "server.pem"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync",
                # Trust exactly this server's key; every other certificate error still fails.
                f"--ignore-certificate-errors-spki-list={spki_fingerprint(server_cert)}",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()

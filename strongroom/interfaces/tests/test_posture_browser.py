"""The self-audit against a real `strongroom serve` over TLS, and its HTML report in a
real browser (Debian's chromium via Playwright), from the console and as a file."""

import json
import re

import pytest
from playwright.sync_api import expect

from strongroom.testing.accounts import console_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("live-store")]


def test_self_audit_tests_tls_and_headers_as_served(live_store):
    result = live_store.command("security", "audit", "--format", "json", "--no-keep",
                                "--url", live_store.base_url, check=False)
    checks = {c["id"]: c for c in json.loads(result.stdout)["checks"]}
    assert checks["https.tls_protocol"]["status"] == "pass", checks["https.tls_protocol"]
    assert "TLS 1.0/1.1 refused" in checks["https.tls_protocol"]["detail"]
    assert checks["https.certificate"]["status"] == "pass"
    for check_id in ("https.hsts", "https.cookies", "headers.csp", "headers.framing",
                     "headers.nosniff", "headers.referrer"):
        assert checks[check_id]["status"] == "pass", checks[check_id]


def test_html_report_opens_from_the_console_without_csp_violations(page, live_store,
                                                                    tmp_path):
    violations: list[str] = []
    page.on("console", lambda msg: violations.append(msg.text)
            if "Content Security Policy" in msg.text else None)
    live_store.command("security", "audit", "--format", "json", check=False)  # a kept run
    console_sign_in(page, live_store, next_path="/console/posture/audit/")
    page.goto(live_store.base_url + "/console/posture/audit/")
    expect(page.locator("#audit-score")).to_have_text(re.compile(r"^\d+$"))
    expect(page.locator("#trend svg")).to_be_visible()
    page.locator("#html-report").click()
    expect(page).to_have_title(re.compile("Self-audit of"))
    expect(page.locator("svg[aria-label='Score by practice']")).to_be_visible()
    assert page.locator("#checks tbody tr").count() >= 40
    # the inline stylesheet applied (allowed by its hash): the score is big and bold
    weight = page.locator("#score").evaluate("e => getComputedStyle(e).fontWeight")
    assert weight == "700"
    assert violations == []

    out = tmp_path / "report.html"
    live_store.command("security", "audit", "--format", "html", "--out", str(out),
                       "--no-keep", check=False)
    page.goto(out.as_uri())
    expect(page.locator("#score")).to_have_text(re.compile(r"^\d+$"))
    assert page.locator("#checks tbody tr").count() >= 40

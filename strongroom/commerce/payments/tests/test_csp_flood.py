"""The CSP report endpoint under attack: junk must neither fill the table for good nor
hide a genuine report of a skimming script on the checkout page from the owner."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.cache import cache
from django.utils import timezone

from strongroom.commerce.payments import cspreports
from strongroom.commerce.payments.jobs import csp_prune
from strongroom.commerce.payments.models import CspReport
from strongroom.jobs.registry import jobs_all
from strongroom.protection.access.roles import Role
from strongroom.protection.alerts.models import Alert
from strongroom.testing.staff import console_client, staff_make

pytestmark = pytest.mark.django_db
URL = "/payments/csp-report/"
SKIMMER = {"csp-report": {"document-uri": "https://shop.example/checkout/",
                          "violated-directive": "script-src-elem",
                          "blocked-uri": "https://skimmer.example/c.js"}}


@pytest.fixture(autouse=True)
def _fresh_counts():
    cache.clear()
    cspreports._local.clear()
    yield
    cache.clear()


def junk(n: int, page: str = "/") -> bytes:
    return json.dumps({"csp-report": {"document-uri": f"https://shop.example{page}",
                                      "violated-directive": "img-src",
                                      "blocked-uri": f"https://junk{n}.example/x.png"}}).encode()


def post(client, body: bytes, address: str):
    return client.post(URL, data=body, content_type="application/csp-report",
                       REMOTE_ADDR=address)


def test_one_address_is_limited_and_the_limit_raises_one_alert(client, settings):
    settings.STRONGROOM_CSP_REPORT_LIMIT = 5
    codes = [post(client, junk(n), "203.0.113.9").status_code for n in range(12)]
    assert codes == [204] * 5 + [429] * 7
    assert CspReport.objects.count() == 5
    alert = Alert.objects.get(kind="payments.csp_report_limit")
    assert alert.count == 1 and alert.severity == "medium"
    assert "203.0.113" not in alert.summary + json.dumps(alert.detail)  # no address
    assert post(client, junk(99), "203.0.113.10").status_code == 204  # others unaffected


def test_duplicates_fold_into_a_count_with_last_seen(client):
    for _ in range(3):
        post(client, json.dumps(SKIMMER).encode(), "198.51.100.1")
    row = CspReport.objects.get()
    assert row.count == 3 and row.payment_page and row.last_seen > row.first_seen


def test_two_thousand_junk_reports_then_a_skimming_report_still_reaches_the_owner(client,
                                                                                  settings):
    """The attack from the issue: junk from many addresses fills the table's general room;
    the genuine report about the checkout is stored, shown and raised as an alert."""
    junk_count = 2100
    for n in range(junk_count):
        post(client, junk(n), f"10.{n // 250}.{n % 250}.1")
    assert CspReport.objects.filter(payment_page=False).count() == cspreports.MAX_ROWS
    full = Alert.objects.get(kind="payments.csp_reports_full")
    assert full.count == junk_count - cspreports.MAX_ROWS
    assert post(client, json.dumps(SKIMMER).encode(), "192.0.2.77").status_code == 204
    row = CspReport.objects.get(blocked="https://skimmer.example")
    assert row.payment_page and row.document == "/checkout/"
    alert = Alert.objects.get(kind="payments.csp_violation")
    assert alert.severity == "high" and "skimmer.example" in alert.summary
    owner = console_client(staff_make(Role.OWNER))
    assert "skimmer.example" in owner.get("/console/security/alerts/").content.decode()
    assert "skimmer.example" in owner.get("/console/payments/security/").content.decode()


def test_a_payment_page_report_is_never_dropped_without_an_alert(client, settings):
    settings.STRONGROOM_CSP_REPORT_LIMIT = 1
    post(client, junk(1), "203.0.113.5")
    assert post(client, json.dumps(SKIMMER).encode(), "203.0.113.5").status_code == 429
    dropped = Alert.objects.get(kind="payments.csp_report_dropped")
    assert "skimmer.example" in dropped.summary and dropped.severity == "high"
    # The payment pages' own room, full of junk about the checkout: dropped, alerted.
    settings.STRONGROOM_CSP_REPORT_LIMIT = 10_000
    CspReport.objects.bulk_create([
        CspReport(document="/checkout/", directive="img-src", blocked=f"https://j{n}.example",
                  payment_page=True) for n in range(cspreports.PAYMENT_ROWS)])
    assert post(client, json.dumps(SKIMMER).encode(), "192.0.2.1").status_code == 204
    assert not CspReport.objects.filter(blocked="https://skimmer.example").exists()
    assert Alert.objects.get(kind="payments.csp_report_dropped").count == 2


def test_old_reports_are_pruned_by_the_scheduled_job(client, settings):
    post(client, json.dumps(SKIMMER).encode(), "192.0.2.1")
    post(client, junk(1), "192.0.2.1")
    CspReport.objects.filter(blocked="https://junk1.example").update(
        last_seen=timezone.now() - dt.timedelta(days=31))
    assert "payments-csp-prune" in jobs_all()
    assert csp_prune() == {"deleted": 1}
    assert csp_prune() == {"deleted": 0}  # idempotent
    assert list(CspReport.objects.values_list("blocked", flat=True)) == [
        "https://skimmer.example"]
    settings.STRONGROOM_CSP_REPORT_DAYS = 0
    assert csp_prune() == {"deleted": 1}

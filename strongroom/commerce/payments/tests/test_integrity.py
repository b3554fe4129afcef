"""Payment-page integrity: the script inventory with SRI, the page monitor's alerts on a
change of scripts or security headers, and CSP violation reports shown in the console."""

from __future__ import annotations

import json

import pytest

from strongroom.commerce.payments.integrity import (
    SCRIPT_INVENTORY,
    UnlistedScript,
    file_sha384,
    script_checked,
)
from strongroom.commerce.payments.models import CspReport, PageBaseline, PaymentAlert
from strongroom.commerce.payments.monitor import page_observe
from strongroom.interfaces.web import middleware
from strongroom.testing.staff import staff_make

from .test_refunds_and_reconcile import _console

pytestmark = pytest.mark.django_db


def test_every_inventory_script_matches_its_hash():
    for path, script in SCRIPT_INVENTORY.items():
        assert file_sha384(path) == script.sha384, f"update the inventory entry of {path}"


def test_unlisted_scripts_cannot_be_put_on_a_payment_page():
    with pytest.raises(UnlistedScript):
        script_checked("api/swagger/init.js")


def _checkout_page(client, variant):
    client.post("/cart/add/", {"variant": variant.pk, "quantity": 1})
    return client.get("/checkout/")


def test_checkout_loads_only_inventory_scripts_with_sri(client, variant):
    html = _checkout_page(client, variant).content.decode()
    script = SCRIPT_INVENTORY["payments/checkout.js"]
    assert f'integrity="sha384-{script.sha384}"' in html
    assert html.count("<script") == 1


def test_first_view_records_a_baseline_and_a_header_change_raises_an_alert(
        client, variant, owner, monkeypatch):
    _checkout_page(client, variant)
    baseline = PageBaseline.objects.get(page="storefront:checkout")
    assert baseline.details["scripts"][0]["integrity"].startswith("sha384-")
    assert "'nonce-*'" in baseline.details["headers"]["Content-Security-Policy"]
    client.get("/checkout/")
    assert not PaymentAlert.objects.exists()  # same page, new nonce: no alert

    monkeypatch.setattr(middleware, "PERMISSIONS_POLICY", "camera=*")
    client.get("/checkout/")
    alert = PaymentAlert.objects.get()
    assert alert.kind == "page_changed" and alert.subject == "storefront:checkout"
    client.get("/checkout/")
    assert PaymentAlert.objects.count() == 1  # one alert per change, not per view

    console = _console(owner)
    page = console.get("/console/payments/security/").content.decode()
    assert "Payment page changed" in page and "storefront:checkout" in page
    console.post(f"/console/payments/alerts/{alert.pk}/", {"action": "accept"})
    alert.refresh_from_db()
    assert alert.resolved_by == owner
    assert PageBaseline.objects.get(page="storefront:checkout").fingerprint == alert.fingerprint


def test_an_injected_script_raises_an_unlisted_script_alert(client, variant):
    _checkout_page(client, variant)
    html = b'<script src="https://skimmer.example/x.js"></script><script>steal()</script>'
    assert page_observe(page="storefront:checkout", html=html, headers={}) == "alert"
    alert = PaymentAlert.objects.get()
    assert alert.kind == "unlisted_script"
    assert "skimmer.example" in alert.message and "inline" in alert.message


def test_staff_who_are_not_the_owner_cannot_accept_a_baseline(client, variant):
    page_observe(page="storefront:checkout", html=b"<script>x()</script>", headers={})
    alert = PaymentAlert.objects.get()
    staff = _console(staff_make("admin", email="s@example.test"))  # sees, may not accept
    assert staff.get("/console/payments/security/").status_code == 200
    assert staff.post(f"/console/payments/alerts/{alert.pk}/",
                      {"action": "resolve"}).status_code == 403


def test_csp_header_reports_to_the_store(client):
    response = client.get("/")
    assert "report-uri /payments/csp-report/" in response["Content-Security-Policy"]
    assert response["Reporting-Endpoints"] == 'csp="/payments/csp-report/"'


def test_csp_reports_are_collected_folded_and_shown(client, owner):
    legacy = {"csp-report": {"document-uri": "https://localhost/checkout/?t=SECRET",
                             "violated-directive": "script-src-elem",
                             "blocked-uri": "https://skimmer.example/x.js?card=1"}}
    for _ in range(2):
        r = client.post("/payments/csp-report/", data=json.dumps(legacy),
                        content_type="application/csp-report")
        assert r.status_code == 204
    modern = [{"type": "csp-violation", "body": {
        "documentURL": "https://localhost/checkout/", "effectiveDirective": "script-src-elem",
        "blockedURL": "inline"}}]
    client.post("/payments/csp-report/", data=json.dumps(modern),
                content_type="application/reports+json")
    rows = {(r.document, r.blocked): r.count for r in CspReport.objects.all()}
    assert rows == {("/checkout/", "https://skimmer.example"): 2, ("/checkout/", "inline"): 1}
    page = _console(owner).get("/console/payments/security/").content.decode()
    assert "skimmer.example" in page and "SECRET" not in page


@pytest.mark.parametrize("body, status", [
    (b"not json", 400), (b"[1, 2]", 204), (b'{"csp-report": 5}', 204), (b"x" * 20000, 413),
])
def test_bad_csp_reports_are_4xx_or_ignored(client, body, status):
    r = client.post("/payments/csp-report/", data=body, content_type="application/csp-report")
    assert r.status_code == status
    assert not CspReport.objects.exists()
    assert client.get("/payments/csp-report/").status_code == 405

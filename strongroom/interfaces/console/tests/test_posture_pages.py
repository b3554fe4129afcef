"""Console pages of the security posture: who reaches them, what they show, risk
changes through the pages (audited), bad input answered with 4xx."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from strongroom.protection.access.roles import Role
from strongroom.protection.audit.events import AuditEvent
from strongroom.protection.audit.models import AuditEntry
from strongroom.protection.posture import services
from strongroom.protection.posture.models import AuditRun, Finding, Risk
from strongroom.testing.staff import console_client, staff_make

pytestmark = pytest.mark.django_db
EXPORT = (Path(__file__).parents[3] / "protection" / "posture" / "tests" / "fixtures"
          / "osv-export")

VIEWERS = {Role.OWNER, Role.ADMIN, Role.SECURITY_OFFICER, Role.AUDITOR}
MANAGERS = {Role.OWNER, Role.SECURITY_OFFICER}


@pytest.fixture
def finding(tmp_path):
    export = tmp_path / "osv"
    shutil.copytree(EXPORT, export)
    services.vulnerability_scan_run(source=str(export))
    Finding.objects.update(first_seen=timezone.now() - dt.timedelta(days=3))
    return Finding.objects.get()


@pytest.mark.parametrize("role", list(Role))
def test_posture_pages_by_role(role):
    client = console_client(staff_make(role))
    risk = Risk.objects.get(code="T1")
    for name, args in (("posture_patches", ()), ("posture_audit", ()), ("posture_risks", ())):
        status = client.get(reverse(f"console:{name}", args=args)).status_code
        assert status == (200 if role in VIEWERS else 403), (name, role)
    status = client.get(reverse("console:posture_risk_edit", args=[risk.pk])).status_code
    assert status == (200 if role in MANAGERS else 403)


def test_patches_page_shows_findings_with_age_and_upgrade(finding):
    page = console_client(staff_make(Role.SECURITY_OFFICER)).get(
        reverse("console:posture_patches")).content.decode()
    assert "PYSEC-TEST-0001" in page and "CVE-2099-0001" in page
    assert "3 days" in page and "django&gt;=99.0" in page
    assert 'id="scan-status"' in page


def test_patches_page_says_when_never_scanned_or_scan_had_no_data(tmp_path):
    client = console_client(staff_make(Role.OWNER))
    assert "Never scanned successfully" in client.get(
        reverse("console:posture_patches")).content.decode()
    (tmp_path / "empty").mkdir()
    with pytest.raises(Exception):  # noqa: B017 - NoAdvisoryData, recorded
        services.vulnerability_scan_run(source=str(tmp_path / "empty"))
    page = client.get(reverse("console:posture_patches")).content.decode()
    assert 'id="scan-failed"' in page and "no OSV advisory" in page


def test_audit_page_shows_latest_score_chart_trend_and_the_report(finding):
    client = console_client(staff_make(Role.AUDITOR))
    assert "No self-audit yet" in client.get(reverse("console:posture_audit")).content.decode()
    services.self_audit_run()
    run = services.self_audit_run()
    page = client.get(reverse("console:posture_audit")).content.decode()
    assert f'<span id="audit-score">{run.score.score}</span>' in page
    assert page.count("<circle") == 2 and "Score by practice" in page
    assert "patch.open_findings" in page
    response = client.get(reverse("console:posture_audit_report", args=[run.run_id]))
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp and "unsafe" not in csp
    assert b"<script" not in response.content and b"<svg" in response.content
    missing = AuditRun.objects.order_by("-id").first().pk + 1
    assert client.get(reverse("console:posture_audit_report", args=[missing])).status_code \
        == 404


def test_risk_added_edited_and_reviewed_through_the_pages_is_audited():
    officer = staff_make(Role.SECURITY_OFFICER)
    client = console_client(officer)
    due = (timezone.now().date() + dt.timedelta(days=60)).isoformat()
    form = {"code": "R-7", "title": "Supplier phishing", "threat": "fake invoices",
            "asset": "payouts", "likelihood": "3", "impact": "4", "owner": "owner",
            "treatment": "call back on a known number", "review_due": due,
            "checks": ["training.current", "mfa.staff"]}
    response = client.post(reverse("console:posture_risk_create"), form)
    assert response.status_code == 302
    risk = Risk.objects.get(code="R-7")
    assert risk.checks == ["training.current", "mfa.staff"]
    edit = reverse("console:posture_risk_edit", args=[risk.pk])
    assert client.post(edit, {**form, "impact": "5"}).status_code == 302
    later = (timezone.now().date() + dt.timedelta(days=120)).isoformat()
    assert client.post(reverse("console:posture_risk_review", args=[risk.pk]),
                       {"next_review": later}).status_code == 302
    risk.refresh_from_db()
    assert risk.impact == 5 and risk.review_due.isoformat() == later
    assert risk.reviewed_by == officer
    assert list(AuditEntry.objects.filter(object_type="posture.risk").order_by("id")
                .values_list("event", flat=True)) == [
        AuditEvent.RISK_CREATED, AuditEvent.RISK_CHANGED, AuditEvent.RISK_REVIEWED]


@pytest.mark.parametrize("change", [
    {"likelihood": "9"}, {"checks": ["no.such.check"]}, {"code": "T1"},
    {"review_due": "not a date"}, {"title": ""}, {"code": "bad code!"},
])
def test_bad_risk_input_is_a_400_and_changes_nothing(change):
    client = console_client(staff_make(Role.OWNER))
    form = {"code": "R-8", "title": "t", "threat": "t", "asset": "a", "likelihood": "2",
            "impact": "2", "owner": "o", "treatment": "t", "review_due": "2027-01-01"}
    before = Risk.objects.count()
    response = client.post(reverse("console:posture_risk_create"), {**form, **change})
    assert response.status_code == 400
    assert Risk.objects.count() == before
    assert not AuditEntry.objects.filter(event=AuditEvent.RISK_CREATED).exists()


def test_risk_changes_need_the_manage_permission_and_an_existing_risk():
    risk = Risk.objects.get(code="T2")
    admin = console_client(staff_make(Role.ADMIN))
    assert admin.post(reverse("console:posture_risk_review", args=[risk.pk]),
                      {"next_review": "2030-01-01"}).status_code == 403
    owner = console_client(staff_make(Role.OWNER))
    assert owner.get(reverse("console:posture_risk_edit", args=[99999])).status_code == 404
    assert owner.post(reverse("console:posture_risk_review", args=[99999]),
                      {"next_review": "2030-01-01"}).status_code == 404
    response = owner.post(reverse("console:posture_risk_review", args=[risk.pk]),
                          {"next_review": "2001-01-01"})  # in the past: refused
    assert response.status_code == 302
    risk.refresh_from_db()
    assert risk.reviewed_at is None

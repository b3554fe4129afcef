"""The risk register (seeded from the threat model, residual raised by failing
controls, changes audited) and the scheduled jobs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from strongroom.jobs.registry import jobs_all
from strongroom.protection.access.roles import Role
from strongroom.protection.alerts.models import Alert
from strongroom.protection.audit.events import AuditEvent
from strongroom.protection.audit.models import AuditEntry
from strongroom.protection.posture import conf, jobs, selectors, services
from strongroom.protection.posture.errors import PostureError
from strongroom.protection.posture.internal.checks.registry import checks_load
from strongroom.protection.posture.internal.seed import THREATS
from strongroom.protection.posture.models import AuditRun, Risk, ScanRun
from strongroom.testing.staff import staff_make

pytestmark = pytest.mark.django_db


def events() -> list[int]:
    return list(AuditEntry.objects.order_by("id").values_list("event", flat=True))


def test_register_is_seeded_from_t1_to_t11_each_linked_to_real_checks():
    assert [v.risk.code for v in selectors.risks_list()] == [f"T{i}" for i in range(1, 12)]
    known = set(checks_load())
    for threat in THREATS:
        assert threat["checks"] and set(threat["checks"]) <= known, threat["code"]
    Risk.objects.filter(code="T4").delete()
    assert services.risks_seed() == 1 and services.risks_seed() == 0
    assert events() == [AuditEvent.RISKS_SEEDED]


def _audit_with(statuses: dict[str, str]) -> None:
    AuditRun.objects.create(score=50, report={"checks": [
        {"id": k, "status": v} for k, v in statuses.items()]})


def test_a_failing_control_raises_the_residual_score():
    t8 = Risk.objects.get(code="T8")  # L4 x I4
    view = next(v for v in selectors.risks_list() if v.risk.code == "T8")
    assert view.residual == view.inherent == 16  # no self-audit yet: no credit
    _audit_with({c: "pass" for c in t8.checks})
    passing = next(v for v in selectors.risks_list() if v.risk.code == "T8")
    assert passing.residual == round(16 * 0.4)
    _audit_with({**{c: "pass" for c in t8.checks}, "patch.open_findings": "fail"})
    failing = next(v for v in selectors.risks_list() if v.risk.code == "T8")
    assert failing.residual > passing.residual
    assert ("patch.open_findings", "fail") in failing.controls
    _audit_with({c: "n/a" for c in t8.checks})  # not available is not a control
    assert next(v for v in selectors.risks_list() if v.risk.code == "T8").residual == 16


def test_risk_changes_are_audited_in_order_and_bad_values_refused():
    owner = staff_make(Role.OWNER)
    due = timezone.now().date() + dt.timedelta(days=30)
    risk = services.risk_create(
        code="R-1", actor=owner, title="Laptop theft", threat="a staff laptop is stolen",
        asset="console sessions", likelihood=2, impact=3, owner="owner",
        treatment="disk encryption", review_due=due, checks=["sessions.staff_idle"])
    services.risk_update(risk_id=risk.pk, actor=owner, likelihood=3)
    services.risk_update(risk_id=risk.pk, actor=owner, likelihood=3)  # no change: no event
    services.risk_review(risk_id=risk.pk, actor=owner, next_review=due + dt.timedelta(90))
    assert events() == [AuditEvent.RISK_CREATED, AuditEvent.RISK_CHANGED,
                        AuditEvent.RISK_REVIEWED]
    changed = AuditEntry.objects.get(event=AuditEvent.RISK_CHANGED)
    assert changed.fields == "likelihood" and changed.actor_id == str(owner.pk)
    with pytest.raises(PostureError, match="unknown self-audit check"):
        services.risk_update(risk_id=risk.pk, actor=owner, checks=["no.such.check"])
    with pytest.raises(PostureError, match="between 1 and 5"):
        services.risk_update(risk_id=risk.pk, actor=owner, impact=9)
    with pytest.raises(PostureError, match="already exists"):
        services.risk_create(code="T1", actor=owner, title="x", threat="x", asset="x",
                             likelihood=1, impact=1, owner="x", treatment="x", review_due=due)


def test_review_reminders_raise_one_alert_per_overdue_risk():
    Risk.objects.filter(code__in=["T1", "T2"]).update(review_due=dt.date(2020, 1, 1))
    assert jobs.posture_risk_reviews() == {"due": 2}
    jobs.posture_risk_reviews()
    alerts = Alert.objects.filter(kind="posture.risk_review_due")
    assert alerts.count() == 2 and {a.count for a in alerts} == {2}


def test_risks_command_lists_residuals(capsys):
    call_command("risks", "list")
    out = capsys.readouterr().out
    assert "T1 " in out and "residual" in out and out.index("T2 ") < out.index("T10 ")


def test_jobs_are_registered_and_run(monkeypatch, osv_export, tmp_path):
    registered = jobs_all()
    assert {"posture-scan", "posture-self-audit", "posture-risk-reviews"} <= set(registered)
    monkeypatch.setattr(conf, "osv_source", lambda: str(osv_export))
    assert jobs.posture_scan() == {"findings": 1, "advisories": 4}
    summary = jobs.posture_self_audit()
    assert summary["critical_failed"] >= 1  # the critical finding just found
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setattr(conf, "osv_source", lambda: str(empty))
    with pytest.raises(RuntimeError, match="no advisory data"):
        jobs.posture_scan()
    assert ScanRun.objects.filter(ok=False).count() == 1

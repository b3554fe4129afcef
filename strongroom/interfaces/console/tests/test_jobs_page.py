"""The Jobs page: who sees it, "Run now" (POST, CSRF, audited), failures, no-worker banner."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from strongroom.jobs.models import JobRun, RunStatus, WorkerBeat
from strongroom.protection.access.roles import Role
from strongroom.protection.alerts.services import alert_raise
from strongroom.protection.audit.events import AuditEvent
from strongroom.protection.audit.models import AuditEntry
from strongroom.testing.staff import console_client, staff_make

pytestmark = pytest.mark.django_db
PAGE = reverse("console:job_list")
RUN = reverse("console:job_run", args=["jobs-prune"])


@pytest.mark.parametrize("role", [Role.OWNER, Role.ADMIN, Role.SECURITY_OFFICER])
def test_owner_admin_and_security_officer_see_every_job_and_may_run_one(role):
    now = timezone.now()
    JobRun.objects.create(job="payments-reconcile", trigger="schedule", worker="h:1",
                          started_at=now, finished_at=now, duration_ms=42,
                          status=RunStatus.FAILED, error="GatewayUnavailable: timed out")
    page = console_client(staff_make(role)).get(PAGE).content.decode()
    for name in ("audit-checkpoint", "staff-disable-idle", "payments-reconcile"):
        assert f'id="job-{name}"' in page
    assert "*/15 * * * *" in page and "42 ms" in page
    assert "GatewayUnavailable: timed out" in page
    assert RUN in page  # the Run now button


@pytest.mark.parametrize("role", [Role.SUPPORT, Role.FULFILMENT, Role.MARKETING,
                                  Role.AUDITOR])
def test_other_roles_neither_see_nor_run_jobs(role):
    client = console_client(staff_make(role))
    assert client.get(PAGE).status_code == 403
    assert client.post(RUN).status_code == 403
    assert not AuditEntry.objects.filter(event=AuditEvent.JOB_RUN_REQUESTED).exists()
    assert reverse("console:job_list") not in client.get(reverse("console:dashboard")
                                                         ).content.decode()


def test_run_now_is_a_post_with_csrf_and_is_audited(django_capture_on_commit_callbacks):
    officer = staff_make(Role.SECURITY_OFFICER)
    client = console_client(officer)
    assert client.get(RUN).status_code == 405
    assert client.post(reverse("console:job_run", args=["no-such-job"])).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(RUN)
    assert response.status_code == 302
    event = AuditEntry.objects.get(event=AuditEvent.JOB_RUN_REQUESTED)
    assert (event.actor_id, event.object_type, event.object_id) == (
        str(officer.pk), "jobs.job", "jobs-prune")
    # Tests run tasks in-process: the run is already recorded, as a manual one.
    assert JobRun.objects.get(job="jobs-prune").trigger == "manual"

    strict = console_client(officer)
    strict.handler.enforce_csrf_checks = True
    assert strict.post(RUN).status_code == 403
    assert AuditEntry.objects.filter(event=AuditEvent.JOB_RUN_REQUESTED).count() == 1


def test_a_failing_job_alert_shows_on_the_page():
    alert_raise(kind="jobs.failing", source="jobs", severity="high",
                summary="Job payments-reconcile failed 3 times in a row",
                dedupe_key="jobs.failing:payments-reconcile")
    page = console_client(staff_make(Role.ADMIN)).get(PAGE).content.decode()
    assert 'id="jobs-alerts"' in page and "failed 3 times in a row" in page


def test_the_banner_says_when_no_worker_ran_in_ten_minutes():
    client = console_client(staff_make(Role.OWNER))
    dashboard = reverse("console:dashboard")
    assert 'id="worker-banner"' in client.get(dashboard).content.decode()
    now = timezone.now()
    WorkerBeat.objects.create(worker="h:1", host="h", pid=1, started_at=now, beat_at=now)
    assert 'id="worker-banner"' not in client.get(dashboard).content.decode()
    assert "running" in client.get(PAGE).content.decode()

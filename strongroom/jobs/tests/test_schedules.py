"""Schedules: defaults, the owner's overrides (and `off`), next run, bad values."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.core.management import call_command

from strongroom import config
from strongroom.jobs.registry import jobs_all, schedule_of
from strongroom.jobs.selectors import next_run_at

pytestmark = pytest.mark.django_db


def _override(settings, **schedules: str) -> None:
    settings.STRONGROOM_JOBS = dataclasses.replace(settings.STRONGROOM_JOBS,
                                                   schedules=schedules)


def test_the_jobs_that_exist_are_scheduled_with_their_defaults():
    jobs = jobs_all()
    assert schedule_of(jobs["audit-checkpoint"]) == "0 * * * *"
    assert schedule_of(jobs["staff-disable-idle"]) == "30 3 * * *"
    assert schedule_of(jobs["payments-reconcile"]) == "*/15 * * * *"
    assert jobs["payments-reconcile"].setting == "STRONGROOM_SCHEDULE_PAYMENTS_RECONCILE"


def test_the_owner_overrides_a_schedule_or_turns_a_job_off(settings):
    _override(settings, STRONGROOM_SCHEDULE_AUDIT_CHECKPOINT="*/5 * * * *",
              STRONGROOM_SCHEDULE_STAFF_DISABLE_IDLE="off")
    jobs = jobs_all()
    assert schedule_of(jobs["audit-checkpoint"]) == "*/5 * * * *"
    assert schedule_of(jobs["staff-disable-idle"]) is None


def test_next_run_follows_the_crontab_in_utc():
    now = dt.datetime(2026, 12, 7, 10, 7, 30, tzinfo=dt.UTC)
    assert next_run_at("*/15 * * * *", now=now) == dt.datetime(2026, 12, 7, 10, 15,
                                                               tzinfo=dt.UTC)
    assert next_run_at("30 3 * * *", now=now) == dt.datetime(2026, 12, 8, 3, 30, tzinfo=dt.UTC)
    assert next_run_at("0 0 1 6 *", now=now) is None  # beyond the search window: "—"


@pytest.mark.parametrize("value", ["every hour", "* * * *", "1 2 3 4 5 6"])
def test_a_bad_schedule_is_one_clear_configuration_error(value):
    with pytest.raises(config.ConfigError, match="STRONGROOM_SCHEDULE_AUDIT_CHECKPOINT"):
        config._jobs({"STRONGROOM_SCHEDULE_AUDIT_CHECKPOINT": value})
    assert config._jobs({"STRONGROOM_SCHEDULE_X": " OFF "}).schedules == {
        "STRONGROOM_SCHEDULE_X": "off"}


def test_an_override_naming_no_job_is_a_system_check_error(settings):
    from strongroom.jobs.checks import check_schedule_overrides

    _override(settings, STRONGROOM_SCHEDULE_AUDIT_CHEKPOINT="0 * * * *")
    errors = check_schedule_overrides()
    assert [e.id for e in errors] == ["jobs.E001"]
    assert "STRONGROOM_SCHEDULE_AUDIT_CHEKPOINT" in errors[0].msg


def test_the_worker_check_warns_without_a_heartbeat_and_not_with_one():
    from django.utils import timezone

    from strongroom.jobs.checks import check_worker_alive
    from strongroom.jobs.models import WorkerBeat

    assert "jobs.W001" in [m.id for m in check_worker_alive()]
    now = timezone.now()
    WorkerBeat.objects.create(worker="h:1", host="h", pid=1, started_at=now,
                              beat_at=now - dt.timedelta(minutes=11))
    assert "jobs.W001" in [m.id for m in check_worker_alive()]
    WorkerBeat.objects.create(worker="h:2", host="h", pid=2, started_at=now, beat_at=now)
    assert "jobs.W001" not in [m.id for m in check_worker_alive()]


def test_jobs_list_shows_each_job_and_run_refuses_an_unknown_name(capsys):
    call_command("jobs", "list")
    out = capsys.readouterr().out
    for name in ("audit-checkpoint", "staff-disable-idle", "payments-reconcile"):
        assert name in out
    assert "worker last seen: never" in out


def test_jobs_run_queues_an_audited_run_and_refuses_an_unknown_name(
        django_capture_on_commit_callbacks):
    from django.core.management.base import CommandError

    from strongroom.jobs.models import JobRun
    from strongroom.protection.audit.events import AuditEvent
    from strongroom.protection.audit.models import AuditEntry

    with pytest.raises(CommandError) as refused:
        call_command("jobs", "run", "no-such-job")
    assert refused.value.returncode == 2 and "strongroom jobs list" in str(refused.value)
    assert not AuditEntry.objects.filter(event=AuditEvent.JOB_RUN_REQUESTED).exists()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("jobs", "run", "jobs-prune")
    event = AuditEntry.objects.get(event=AuditEvent.JOB_RUN_REQUESTED)
    assert (event.actor_id, event.object_id) == ("strongroom jobs run", "jobs-prune")
    assert JobRun.objects.get(job="jobs-prune").status == "ok"


def test_a_run_request_nobody_audits_is_not_queued(django_capture_on_commit_callbacks):
    """The queue announces the request and the audit app records it (the queue never
    imports it): without that receiver the request fails closed."""
    from strongroom.jobs.models import JobRun
    from strongroom.jobs.services import job_run_request
    from strongroom.jobs.signals import run_requested
    from strongroom.protection.audit.events import Actor

    assert run_requested.disconnect(dispatch_uid="audit.job_run_requested")
    try:
        with django_capture_on_commit_callbacks(execute=True) as queued:
            with pytest.raises(RuntimeError, match="audit log"):
                job_run_request(name="jobs-prune", by=Actor.system("test"))
    finally:
        from strongroom.protection.audit.signals import _job_run_requested

        run_requested.connect(_job_run_requested, dispatch_uid="audit.job_run_requested")
    assert queued == [] and not JobRun.objects.filter(job="jobs-prune").exists()


def test_jobs_run_with_an_unknown_name_is_one_line_and_exit_2():
    import os
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "strongroom", "jobs", "run", "nope"],
                            capture_output=True, text=True, timeout=120, env=os.environ)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "no job named 'nope'" in result.stderr

"""Running jobs and ledger tasks in-process: once per tick, one at a time, recorded,
alerted on repeated failure, re-run after a dead worker; tasks retried, then failed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from strongroom.jobs.internal import runner
from strongroom.jobs.models import JobLock, JobRun, PendingTask, RunStatus, TaskStatus
from strongroom.jobs.registry import JobError, PermanentFailure
from strongroom.protection.alerts.models import Alert

pytestmark = pytest.mark.django_db
SLOT = "2026-12-07T10:15:00+00:00"


def test_a_run_is_recorded_with_its_summary_duration_and_worker(declare):
    declare("test-ok", lambda: {"done": 3, "skipped": 1})
    run_id = runner.job_execute(name="test-ok", trigger="manual")
    run = JobRun.objects.get(pk=run_id)
    assert (run.status, run.summary, run.trigger) == (RunStatus.OK, "done: 3, skipped: 1",
                                                      "manual")
    assert run.finished_at is not None and run.duration_ms is not None
    assert run.worker == runner.worker_id()
    assert JobLock.objects.get(job="test-ok").holder == ""  # released


def test_a_tick_runs_once_even_when_enqueued_by_two_schedulers(declare):
    calls = []
    declare("test-tick", lambda: calls.append(1))
    assert runner.job_execute(name="test-tick", trigger="schedule", slot=SLOT) is not None
    assert runner.job_execute(name="test-tick", trigger="schedule", slot=SLOT) is None
    assert calls == [1] and JobRun.objects.filter(job="test-tick").count() == 1
    runner.job_execute(name="test-tick", trigger="schedule", slot="2026-12-07T10:16:00+00:00")
    assert calls == [1, 1]


def test_a_job_held_by_a_live_worker_is_not_run_again(declare):
    calls = []
    declare("test-busy", lambda: calls.append(1))
    JobLock.objects.create(job="test-busy", holder="other-host:1",
                           expires_at=timezone.now() + dt.timedelta(seconds=30))
    assert runner.job_execute(name="test-busy", trigger="manual") is None
    assert calls == []


def test_an_expired_lease_means_a_dead_worker_its_run_is_marked_and_taken_over(declare):
    declare("test-dead", lambda: "fine")
    dead = JobRun.objects.create(job="test-dead", trigger="schedule", worker="gone:9",
                                 started_at=timezone.now() - dt.timedelta(minutes=5))
    JobLock.objects.create(job="test-dead", holder="gone:9", run=dead,
                           expires_at=timezone.now() - dt.timedelta(seconds=1))
    # The worker's heartbeat sweep notices and queues the job again (immediate: runs now).
    assert runner.dead_work_recover(now=timezone.now()) == 1
    dead.refresh_from_db()
    assert dead.status == RunStatus.INTERRUPTED and "gone:9" in dead.error
    rerun = JobRun.objects.exclude(pk=dead.pk).get(job="test-dead")
    assert (rerun.trigger, rerun.status, rerun.summary) == ("recovery", RunStatus.OK, "fine")


def test_a_failure_is_recorded_and_three_in_a_row_raise_one_alert(declare):
    def broken():
        raise RuntimeError("gateway said no")

    declare("test-broken", broken)
    for expected_alerts in (0, 0, 1, 1):
        runner.job_execute(name="test-broken", trigger="manual")
        assert Alert.objects.filter(kind="jobs.failing").count() == expected_alerts
    run = JobRun.objects.filter(job="test-broken").first()
    assert (run.status, run.error) == (RunStatus.FAILED, "RuntimeError: gateway said no")
    alert = Alert.objects.get(kind="jobs.failing")
    assert alert.count == 2 and alert.detail == {"job": "test-broken",
                                                 "consecutive_failures": 3}


def test_a_success_between_failures_raises_nothing(declare):
    outcomes = iter([True, True, False, True])

    def flaky():
        if next(outcomes):
            raise RuntimeError("down")

    declare("test-flaky", flaky)
    for _ in range(4):
        runner.job_execute(name="test-flaky", trigger="manual")
    assert not Alert.objects.filter(kind="jobs.failing").exists()


def test_defer_writes_a_ledger_row_of_ids_and_refuses_personal_data(declare_task,
                                                                    django_capture_on_commit_callbacks):
    seen = []
    task = declare_task("test-echo", lambda *, item_id: seen.append(item_id))
    with django_capture_on_commit_callbacks(execute=True):
        task.defer(item_id=7)
    row = PendingTask.objects.get(name="test-echo")
    assert (row.kwargs, row.status, row.attempts, seen) == ({"item_id": 7}, TaskStatus.DONE,
                                                            1, [7])
    with pytest.raises(JobError):
        task.defer(item_id="someone@example.test")
    with pytest.raises(JobError):
        task.defer(item_id=["a", "list"])


def test_a_failing_task_is_retried_then_failed_and_a_permanent_one_at_once(declare_task):
    def always(**_):
        raise ConnectionError("smtp down")

    task = declare_task("test-retry", always, retries=1)
    row = PendingTask.objects.create(name="test-retry", kwargs={}, created_at=timezone.now(),
                                     next_attempt_at=timezone.now())
    with pytest.raises(ConnectionError):  # huey catches it and schedules the retry
        runner.pending_execute(pending_id=row.pk)
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (TaskStatus.QUEUED, 1,
                                                          "ConnectionError")
    assert row.next_attempt_at > timezone.now() + dt.timedelta(seconds=task.retry_delay / 2)
    runner.pending_execute(pending_id=row.pk)  # the last attempt: recorded, not raised
    row.refresh_from_db()
    assert row.status == TaskStatus.FAILED and "gave up after 2 attempts" in row.last_error
    runner.pending_execute(pending_id=row.pk)  # a late duplicate message: nothing happens
    row.refresh_from_db()
    assert row.attempts == 2

    def refused(**_):
        raise PermanentFailure("the mail server refused the address (550)")

    declare_task("test-refused", refused)
    other = PendingTask.objects.create(name="test-refused", kwargs={},
                                       created_at=timezone.now(), next_attempt_at=timezone.now())
    runner.pending_execute(pending_id=other.pk)
    other.refresh_from_db()
    assert (other.status, other.attempts) == (TaskStatus.FAILED, 1)
    assert other.last_error == "the mail server refused the address (550)"


def test_a_task_whose_worker_died_or_whose_message_was_lost_is_queued_again(declare_task):
    seen = []
    declare_task("test-lost", lambda *, n: seen.append(n))
    now = timezone.now()
    PendingTask.objects.create(name="test-lost", kwargs={"n": 1}, status=TaskStatus.RUNNING,
                               attempts=1, worker="gone:1", created_at=now,
                               next_attempt_at=now, lease_until=now - dt.timedelta(seconds=1))
    PendingTask.objects.create(name="test-lost", kwargs={"n": 2}, created_at=now,
                               next_attempt_at=now - dt.timedelta(minutes=5))
    PendingTask.objects.create(name="test-lost", kwargs={"n": 3}, created_at=now,
                               next_attempt_at=now)  # fresh: its message is on its way
    assert runner.dead_work_recover(now=now) == 2
    assert sorted(seen) == [1, 2]

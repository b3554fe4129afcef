"""Real `strongroom worker` processes on the test database (SQLite or PostgreSQL) and a
real queue (the SQLite file in the data directory, or Redis): queued mail arrives, a
scheduled tick runs once with two workers, a SIGKILLed worker's task runs again."""

from __future__ import annotations

import os
import signal
import socket
import threading
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from strongroom.jobs.models import JobRun, PendingTask, TaskStatus, WorkerBeat
from strongroom.jobs.tests.workers import wait_for
from strongroom.protection.accounts import emails
from strongroom.protection.mailer.models import MailStatus, Outbox
from strongroom.testing.factories import user_make

pytestmark = [pytest.mark.xdist_group("jobs-worker")]


def mail_dir() -> Path:
    return Path(settings.STRONGROOM_DATA_DIR) / "mail"


def mail_to(address: str) -> list[str]:
    if not mail_dir().exists():
        return []
    return [text for path in mail_dir().glob("*.log")
            if f"To: {address}" in (text := path.read_text(errors="replace"))]


def notify(user) -> None:
    with transaction.atomic():
        emails.notice_password_changed(user=user)


def test_a_queued_email_is_sent_by_the_worker_and_its_body_wiped(workers):
    user = user_make(email=f"w-{os.getpid()}-{id(workers)}@example.test")
    workers.start()
    wait_for(lambda: WorkerBeat.objects.exists(), what="the worker's heartbeat")
    notify(user)
    row = Outbox.objects.get()
    assert row.status == MailStatus.QUEUED and PendingTask.objects.get().kwargs == {
        "outbox_id": str(row.pk)}
    [message] = wait_for(lambda: mail_to(user.email), what="the email in the mail folder")
    assert "your password was changed" in message
    wait_for(lambda: PendingTask.objects.get().status == TaskStatus.DONE, what="the task done")
    row.refresh_from_db()
    assert (row.status, str(row.body), row.attempts) == (MailStatus.SENT, "", 1)


def test_a_scheduled_tick_runs_once_with_two_workers(workers):
    # Start both in the same minute, so both schedulers enqueue the same tick.
    wait_for(lambda: timezone.now().second < 30, timeout=40, what="the start of a minute")
    every_minute = {"STRONGROOM_SCHEDULE_JOBS_PRUNE": "* * * * *"}
    (_, log_a), (_, log_b) = workers.start(**every_minute), workers.start(**every_minute)
    marker = "Enqueueing periodic task strongroom.jobs.queue.strongroom.tick.jobs-prune"
    wait_for(lambda: marker in log_a.read_text() and marker in log_b.read_text(),
             timeout=60, what="both schedulers to enqueue the tick")
    # Finished, not only taken: huey logs "Executing" before the task writes its run.
    wait_for(lambda: sum(1 for log in (log_a, log_b) for line in log.read_text().splitlines()
                         if "tick.jobs-prune" in line and " executed in " in line) >= 2
             or None, timeout=30, what="both messages to be handled")
    runs = list(JobRun.objects.filter(job="jobs-prune", trigger="schedule"))
    slots = {run.slot for run in runs}
    assert len(runs) == len(slots) >= 1, runs  # one run per tick, whoever enqueued it
    assert all(run.status == "ok" for run in runs)


class HangingSmtp:
    """A mail server that accepts the connection and never says hello (a stuck relay)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.port = self.sock.getsockname()[1]
        self.held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(conn)

    def close(self) -> None:
        for conn in self.held:
            conn.close()
        self.sock.close()


def _email_provider_registered() -> None:
    """SMTP mail passes the vendor sharing gate, which sends nothing to an email provider
    missing from the register (fail closed). ``migrate`` seeds the entry; a transactional
    test before this one may have flushed it, so it is put back the way migrate does."""
    import importlib

    from django.apps import apps as django_apps

    importlib.import_module("strongroom.protection.people.migrations.0002_vendor_seed").seed(
        django_apps, None)


def test_a_sigkilled_workers_task_runs_again_on_another_worker(workers):
    _email_provider_registered()
    user = user_make(email=f"k-{os.getpid()}-{id(workers)}@example.test")
    smtp = HangingSmtp()
    try:
        doomed, _ = workers.start(STRONGROOM_EMAIL_URL=f"smtp://127.0.0.1:{smtp.port}")
        wait_for(lambda: WorkerBeat.objects.exists(), what="the first worker")
        notify(user)
        wait_for(lambda: smtp.held, what="the worker to connect to the mail server")
        assert PendingTask.objects.get().status == TaskStatus.RUNNING
        os.killpg(doomed.pid, signal.SIGKILL)  # mid-send
        doomed.wait()
    finally:
        smtp.close()
    assert mail_to(user.email) == []
    workers.start()  # a healthy worker, mailing to the folder
    [message] = wait_for(lambda: mail_to(user.email), timeout=60,
                         what="the email to be sent again by the second worker")
    assert "your password was changed" in message
    wait_for(lambda: PendingTask.objects.get().status == TaskStatus.DONE, what="the task done")
    row = Outbox.objects.get()
    assert (row.status, row.attempts) == (MailStatus.SENT, 2)
    task = PendingTask.objects.get()
    assert (task.status, task.attempts) == (TaskStatus.DONE, 2)

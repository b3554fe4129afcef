"""The queue's storage holds ids, never personal data: canary customers' emails (with
their single-use links) are queued and sent through a real worker, and neither the huey
SQLite file nor any Redis key or DUMP contains their address, name or link token.
Redis down: the worker waits, reconnects, and no queued email is lost."""

from __future__ import annotations

import secrets
import signal
import subprocess
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection, transaction

from strongroom.jobs.models import WorkerBeat
from strongroom.jobs.queue import queue_huey, queue_path
from strongroom.jobs.tests.workers import Workers, use_queue, wait_for
from strongroom.protection.accounts import emails
from strongroom.protection.mailer.models import MailStatus, Outbox
from strongroom.testing.factories import canaries_make, user_make
from strongroom.testing.live import free_port

pytestmark = [pytest.mark.xdist_group("jobs-worker")]


def _plant(count: int = 3) -> list[dict[str, str]]:
    planted = []
    for n in range(count):
        canary = canaries_make(f"Q{n}")
        user = user_make(email=canary["email"].lower(), full_name=canary["full_name"])
        token = "tok" + secrets.token_hex(12)
        with transaction.atomic():
            emails.password_reset(user=user, minutes=30,
                                  link=f"https://shop.example/account/reset/x/{token}/")
        planted.append({"email": canary["email"].lower(), "name": canary["full_name"],
                        "token": token})
    return planted


def _secrets_of(planted: list[dict[str, str]]) -> list[bytes]:
    found = []
    for canary in planted:
        for value in canary.values():
            found += [value.encode(), value.lower().encode(), value.encode("utf-16-le")]
    return found


def _queue_bytes(redis_url: str | None) -> bytes:
    if redis_url is None:
        path = queue_path()
        return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    client = redis.Redis.from_url(redis_url)
    blob = b""
    for key in client.keys("*"):
        blob += key + (client.dump(key) or b"")
    return blob


def test_canary_customers_emails_leave_no_trace_in_the_queue_storage(workers):
    planted = _plant()
    queue_huey().storage  # noqa: B018 - the storage exists before the worker drains it
    pending = _queue_bytes(workers.redis_url)
    assert queue_huey().pending_count() == 3  # the messages are really in there, unread
    workers.start()
    for canary in planted:
        wait_for(lambda c=canary: any(c["token"] in p.read_text(errors="replace")
                                      for p in (Path(settings.STRONGROOM_DATA_DIR) / "mail")
                                      .glob("*.log")), what="the canary's email")
    wait_for(lambda: not Outbox.objects.filter(status=MailStatus.QUEUED).exists(),
             what="every email sent")
    drained = _queue_bytes(workers.redis_url)
    for needle in _secrets_of(planted):
        assert needle not in pending and needle not in drained
    if connection.vendor == "sqlite":  # the outbox itself: encrypted, body wiped
        db = Path(connection.settings_dict["NAME"])
        raw = b"".join(p.read_bytes() for p in db.parent.glob(db.name + "*"))
        for canary in planted:
            assert canary["token"].encode() not in raw


def _redis_server(port: int) -> subprocess.Popen:
    proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1",
                             "--save", "", "--appendonly", "no"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    wait_for(lambda: _pings(url), timeout=15, what="redis-server")
    return proc


def _pings(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


@pytest.mark.parametrize("workers", ["sqlite-queue"], indirect=True)
def test_redis_down_the_worker_waits_and_reconnects_without_losing_work(
        workers: Workers, settings):
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    server = _redis_server(port)
    try:
        workers.redis_url = url
        use_queue(settings, url)
        worker, _ = workers.start()
        wait_for(lambda: WorkerBeat.objects.exists(), what="the worker")
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=15)
        user = user_make(email=f"outage-{port}@example.test")
        with transaction.atomic():  # queued during the outage: the enqueue fails, quietly
            emails.notice_password_changed(user=user)
        time.sleep(2)
        assert worker.poll() is None  # still running, waiting for Redis
        server = _redis_server(port)
        wait_for(lambda: Outbox.objects.filter(status=MailStatus.SENT).exists(), timeout=60,
                 what="the email queued during the outage to be sent")
        assert worker.poll() is None
    finally:
        workers.stop_all()
        workers.redis_url = None
        use_queue(settings, None)  # the fixture cleans the default queue, not this server
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=15)

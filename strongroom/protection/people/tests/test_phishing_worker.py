"""The phishing campaign as a real `strongroom worker` process sends it (not the
in-process immediate mode): a campaign for "now" goes out through the task, a later one
through the job's tick, each email lands in the mail folder once, and its link works."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from strongroom.jobs.models import WorkerBeat
from strongroom.jobs.queue import queue_huey, queue_reset
from strongroom.jobs.tests.workers import Workers, use_queue, wait_for
from strongroom.protection.access.roles import Role
from strongroom.protection.people.models import CampaignStatus, PhishingCampaign
from strongroom.protection.people.selectors import campaign_counts
from strongroom.protection.people.services import phishing_campaign_schedule
from strongroom.testing.staff import HttpsClient, staff_make

pytestmark = [pytest.mark.xdist_group("jobs-worker")]


@pytest.fixture
def worker(transactional_db, tmp_path, settings) -> Iterator[Workers]:
    use_queue(settings, None)  # the SQLite queue file in the data directory
    queue_huey().flush()
    pool = Workers(redis_url=None, tmp=tmp_path)
    # Tick every minute (not every 5) so the test waits less for the scheduled path.
    pool.start(STRONGROOM_SCHEDULE_PHISHING_CAMPAIGNS_DUE="* * * * *")
    yield pool
    pool.stop_all()
    queue_huey().flush()
    queue_reset()


def _mail_to(address: str) -> list[str]:
    folder = Path(settings.STRONGROOM_DATA_DIR) / "mail"
    return [text for path in folder.glob("*.log")
            if f"To: {address}" in (text := path.read_text(errors="replace"))]


def test_the_worker_sends_now_and_later_campaigns_once(worker):
    owner = staff_make(Role.OWNER)
    now_agent = staff_make(Role.SUPPORT, email=f"now-{id(worker)}@staff.example.test")
    later_agent = staff_make(Role.SUPPORT, email=f"later-{id(worker)}@staff.example.test")
    wait_for(lambda: WorkerBeat.objects.exists(), timeout=90,  # a loaded machine
             what="the worker's heartbeat")
    now = phishing_campaign_schedule(template="parcel", user_ids=[str(now_agent.pk)],
                                     by=owner)
    later = phishing_campaign_schedule(template="invoice", user_ids=[str(later_agent.pk)],
                                       by=owner,
                                       send_at=timezone.now() + dt.timedelta(seconds=5))
    [message] = wait_for(lambda: _mail_to(now_agent.email), timeout=60,
                         what="the 'now' campaign's email")
    wait_for(lambda: _mail_to(later_agent.email), timeout=150,
             what="the later campaign's email, sent by the job's tick")
    for campaign in (now, later):
        campaign.refresh_from_db()
        assert campaign.status == CampaignStatus.SENT
    assert len(_mail_to(now_agent.email)) == 1 and len(_mail_to(later_agent.email)) == 1
    path = re.search(r"https?://[^/\s]+(/notice/\S+/)", message).group(1)
    assert HttpsClient().get(path).status_code == 200
    assert campaign_counts(campaign=PhishingCampaign.objects.get(pk=now.pk)) == {
        "sent": 1, "clicked": 1, "reported": 0}

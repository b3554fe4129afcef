"""The console's Disaster recovery page, its printable plan and the maintenance switch."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from strongroom.config import BackupConfig
from strongroom.protection.access.roles import Role
from strongroom.protection.audit.events import AuditEvent
from strongroom.protection.audit.models import AuditEntry
from strongroom.protection.backups import selectors
from strongroom.protection.backups.models import Backup, BackupCopy, Drill
from strongroom.protection.backups.services import recovery_key_init
from strongroom.testing.staff import console_client, staff_make

from .conftest import https_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_maintenance():
    selectors.maintenance_cache_clear()
    yield
    selectors.maintenance_cache_clear()


@pytest.fixture
def configured(settings, tmp_path):
    settings.STRONGROOM_BACKUPS = BackupConfig(destinations=(
        f"file://{tmp_path}/one", "s3://shop-backups/prod"), s3_access_key="a",
        s3_secret_key="SECRET-NOT-SHOWN", s3_endpoint="https://s3.example.test")
    _identity, recipient = recovery_key_init(replace=True)
    now = timezone.now()
    for n, size in enumerate((1000, 3000)):
        backup = Backup.objects.create(backup_id=f"20261207T10{n}000Z-abcde{n}", engine="sqlite",
                                       started_at=now - dt.timedelta(minutes=15 * (1 - n)),
                                       status="complete", bytes=size,
                                       seconds=2.5 + n, verification={"restored": True,
                                                                      "decrypted": 7})
        BackupCopy.objects.create(backup=backup, destination=f"file://{tmp_path}/one", ok=True,
                                  verified_at=now)
        BackupCopy.objects.create(backup=backup, destination="s3://shop-backups/prod",
                                  error="s3://shop-backups/prod: unreachable (EndpointError)")
    Drill.objects.create(started_at=now, ok=True, rpo_seconds=420, rto_seconds=37.5,
                         backup_id="20261207T101000Z-abcde1")
    return recipient


def test_owner_sees_destinations_drill_chart_and_a_printable_plan(configured, tmp_path):
    owner = staff_make(Role.OWNER, full_name="Olga Owner")
    client = console_client(owner)
    page = client.get("/console/backups/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f"file://{tmp_path}/one" in html and "20261207T101000Z-abcde1" in html
    assert "unreachable (EndpointError)" in html  # the failing S3 destination shows
    assert "RPO 420 s" in html and "RTO 37.5 s" in html
    assert html.count("<rect ") == 4  # two backups: size and duration bars
    plan = client.get("/console/backups/plan/").content.decode()
    assert configured in plan  # the recovery public key
    assert "strongroom backup restore 20261207T101000Z-abcde1 --recovery-key" in plan
    assert "Olga Owner" in plan and "s3://shop-backups/prod" in plan
    assert "AGE-SECRET-KEY-1" not in plan and "SECRET-NOT-SHOWN" not in plan + html


def test_roles_without_the_permission_are_refused():
    for role in (Role.SUPPORT, Role.MARKETING, Role.FULFILMENT):
        client = console_client(staff_make(role))
        assert client.get("/console/backups/").status_code == 403
        assert client.post("/console/backups/maintenance/",
                           {"state": "on", "message": "x"}).status_code == 403
    assert not selectors.maintenance_state().enabled


def test_owner_switches_maintenance_mode(configured):
    owner = staff_make(Role.OWNER)
    client = console_client(owner)
    shopper = https_client()
    assert client.post("/console/backups/maintenance/", {"state": "on", "message": ""}
                       ).status_code == 302
    assert not selectors.maintenance_state().enabled  # an empty message is refused
    r = client.post("/console/backups/maintenance/",
                    {"state": "on", "message": "Stocktaking until noon."})
    assert r.status_code == 302
    selectors.maintenance_cache_clear()
    assert shopper.get("/").status_code == 503
    assert "Reopen the shop" in client.get("/console/backups/").content.decode()
    client.post("/console/backups/maintenance/", {"state": "off"})
    selectors.maintenance_cache_clear()
    assert shopper.get("/").status_code == 200
    assert list(AuditEntry.objects.filter(event=AuditEvent.MAINTENANCE_MODE_CHANGED)
                .order_by("at_us").values_list("object_id", flat=True)) == ["on", "off"]

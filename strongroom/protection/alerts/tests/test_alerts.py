from __future__ import annotations

import pytest

from strongroom.protection.alerts.selectors import alerts_list, alerts_open
from strongroom.protection.alerts.services import alert_acknowledge, alert_raise
from strongroom.protection.audit.events import AuditEvent
from strongroom.protection.audit.models import AuditEntry
from strongroom.testing.factories import user_make


@pytest.mark.django_db
def test_raise_dedupes_open_alerts_and_acknowledge_is_audited():
    first = alert_raise(kind="test.thing", source="tests", severity="high",
                        summary="something", dedupe_key="k1")
    again = alert_raise(kind="test.thing", source="tests", severity="high",
                        summary="something", dedupe_key="k1")
    assert again.pk == first.pk and again.count == 2
    owner = user_make(email="owner@example.test", staff=True)
    assert alert_acknowledge(alert_id=first.pk, by=owner)
    assert not alert_acknowledge(alert_id=first.pk, by=owner)  # already done
    assert alerts_open() == []
    assert [a.pk for a in alerts_list()] == [first.pk]
    events = list(AuditEntry.objects.filter(object_type="alerts.alert")
                  .values_list("event", flat=True))
    assert events == [AuditEvent.SECURITY_ALERT_ACKNOWLEDGED]
    # Acknowledged: the same key opens a new alert.
    fresh = alert_raise(kind="test.thing", source="tests", severity="high",
                        summary="something", dedupe_key="k1")
    assert fresh.pk != first.pk


def test_unknown_severity_is_refused():
    with pytest.raises(ValueError):
        alert_raise(kind="x", source="tests", severity="dire", summary="s")


@pytest.mark.django_db
def test_sign_in_alerts_move_into_the_one_list_with_their_state():
    """Migration alerts.0002 copies the old accounts.SecurityAlert rows."""
    import datetime as dt
    import importlib

    from django.apps import apps

    from strongroom.protection.accounts.models import SecurityAlert
    from strongroom.protection.alerts.models import Alert

    at = dt.datetime(2026, 11, 30, 8, 0, tzinfo=dt.UTC)
    SecurityAlert.objects.create(kind="credential_stuffing", detail="10 accounts", created_at=at)
    SecurityAlert.objects.create(kind="staff_locked", detail="staff account 4 locked",
                                 created_at=at, acknowledged_at=at)
    migration = importlib.import_module(
        "strongroom.protection.alerts.migrations.0002_signin_alerts_moved")
    migration.forwards(apps, None)
    moved = {a.kind: a for a in Alert.objects.all()}
    assert set(moved) == {"signin.credential_stuffing", "signin.staff_locked"}
    stuffing, locked = moved["signin.credential_stuffing"], moved["signin.staff_locked"]
    assert (stuffing.severity, stuffing.summary, stuffing.first_seen, stuffing.is_open) == (
        "high", "10 accounts", at, True)
    assert (locked.severity, locked.acknowledged_at) == ("medium", at)
    migration.backwards(apps, None)
    assert not Alert.objects.exists()

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
